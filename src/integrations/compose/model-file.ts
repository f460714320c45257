import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { validationError } from '../../domain/errors.js';

/**
 * The model files the panel runs: `<dataDir>/compose/<projectId>/compose.json`, in a folder only the
 * panel writes (mode 0700), each written 0600 (it may hold resolved env secrets) through an exclusive,
 * no-follow temp file and a rename, so a symlink planted anywhere on the way is never followed.
 */

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The folder of one project's model files. */
export function modelDirOf(dataDir: string, projectId: string): string {
  if (!ID.test(projectId)) throw validationError('invalid project id');
  return path.join(dataDir, 'compose', projectId);
}

/** The model file a project runs. */
export const modelFileOf = (dataDir: string, projectId: string): string =>
  path.join(modelDirOf(dataDir, projectId), 'compose.json');

/** mkdir that refuses a symlink or a non-folder in its place. */
async function realDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await fs.lstat(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder (a symlink?): refusing to write there`);
  if ((stat.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
}

/** Write `text` to `file` atomically: exclusive no-follow temp (0600) → fsync → rename. */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await realDir(path.dirname(dir));
  await realDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await fs.open(tmp, flags, 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file); // replaces a symlink at `file` itself, never what it points to
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Read a file the panel wrote, refusing to follow a symlink; null when it does not exist. */
export async function readPrivateFile(file: string): Promise<string | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Remove a file the panel wrote (no error when it is gone). */
export const removePrivateFile = (file: string): Promise<void> => fs.rm(file, { force: true });
