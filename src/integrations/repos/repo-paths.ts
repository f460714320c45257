import fs from 'node:fs/promises';
import path from 'node:path';
import { COMPOSE_FILE_NAMES } from '../../domain/compose/index.js';
import { notFound, validationError } from '../../domain/errors.js';
import { validateRelativePath } from '../../domain/relative-path.js';

/** A compose project folder under the repos root, resolved safely. */
export interface ResolvedProject {
  /** Real (symlink-free) absolute path of the folder. */
  dir: string;
  /** Real path relative to the real repos root: one folder has one name, whatever symlink led to it. */
  relative: string;
  /** Absolute path of its compose file (the first of COMPOSE_FILE_NAMES that exists). */
  composeFile: string;
}

const isInside = (root: string, candidate: string) =>
  candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Resolve a user-supplied relative folder under `root`: lexical checks first (no `..`, absolute paths,
 * NUL…), then the real path must stay inside the real root (no symlink escape), be a directory and hold
 * a compose file that is a regular file inside it.
 */
export async function resolveProjectDir(
  root: string,
  userPath: string,
  field = 'path',
): Promise<ResolvedProject> {
  const relative = validateRelativePath(userPath, field);
  const realRoot = await fs.realpath(root).catch(() => {
    throw notFound(`repos root ${root}`);
  });
  const real = await fs.realpath(path.join(realRoot, relative)).catch(() => {
    throw validationError('folder does not exist', [
      { path: field, message: `no folder ${relative} under the repos root` },
    ]);
  });
  if (!isInside(realRoot, real) || real === realRoot) {
    throw validationError('folder is outside the repos root', [
      { path: field, message: 'must stay inside the repos root' },
    ]);
  }
  if (!(await fs.stat(real)).isDirectory()) {
    throw validationError('not a folder', [{ path: field, message: `${relative} is not a folder` }]);
  }
  const composeFile = await findComposeFile(real);
  if (!composeFile) {
    throw validationError('no compose file', [
      { path: field, message: `${relative} has none of ${COMPOSE_FILE_NAMES.join(', ')}` },
    ]);
  }
  return { dir: real, relative: path.relative(realRoot, real), composeFile };
}

/** The folder's compose file: the first name found that is a regular file (not a symlink out). */
export async function findComposeFile(dir: string): Promise<string | null> {
  for (const name of COMPOSE_FILE_NAMES) {
    const file = path.join(dir, name);
    const stat = await fs.lstat(file).catch(() => null);
    if (stat?.isFile()) return file;
  }
  return null;
}

/** Immediate sub-folders of the root that hold a compose file. */
export async function listComposeFolders(
  root: string,
): Promise<{ name: string; dir: string; composeFile: string }[]> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const found = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(root, entry.name);
    const composeFile = await findComposeFile(dir);
    if (composeFile) found.push({ name: entry.name, dir, composeFile });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
