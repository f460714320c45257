import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import { createMutex } from '../../lib/mutex.js';
import { withLockFile } from './config-lock.js';

/** What one `update` did. */
export interface ConfigUpdate {
  changed: boolean;
  /** Text before the write (null when the file did not exist). */
  before: string | null;
  after: string | null;
  backupPath: string | null;
}

/** How many rounds `update` re-reads and re-merges when the file keeps changing under it. */
const MAX_ROUNDS = 5;

/** Reads the file; null when it does not exist. */
export async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Writes `text` to `file` atomically: a temp file in the same directory with the old file's mode
 * and owner, fsync, rename over the original, fsync the directory. Readers see the old or the new
 * file, never half of one.
 */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const stat = await fs.stat(file).catch(() => null);
  const tmp = path.join(dir, `.${path.basename(file)}.warp-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', stat ? stat.mode & 0o7777 : 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    if (stat) {
      await handle.chmod(stat.mode & 0o7777);
      await handle.chown(stat.uid, stat.gid).catch((err: NodeJS.ErrnoException) => {
        // Only root may give a file away; a panel running as the owner already matches.
        if (err.code !== 'EPERM') throw err;
      });
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  const dirHandle = await fs.open(dir, 'r');
  await dirHandle.sync().catch(() => {});
  await dirHandle.close();
}

/**
 * The cloudflared `config.yml` on disk: serialised writes (in-process mutex plus an O_EXCL lock
 * file next to the config for other processes), atomic replacement, and a timestamped backup of
 * every replaced version (the newest `keep` are kept in `backupDir`).
 */
export function createConfigStore(opts: {
  configPath: string;
  backupDir: string;
  clock: Clock;
  keep?: number;
}) {
  const mutex = createMutex();
  const lockPath = `${opts.configPath}.warp.lock`;
  const keep = opts.keep ?? 10;

  async function backup(text: string): Promise<string> {
    await fs.mkdir(opts.backupDir, { recursive: true, mode: 0o700 });
    const stamp = opts.clock.now().toISOString().replace(/[:.]/g, '-');
    const file = path.join(opts.backupDir, `config-${stamp}-${randomBytes(3).toString('hex')}.yml`);
    await fs.writeFile(file, text, { mode: 0o600, flag: 'wx' });
    const all = (await fs.readdir(opts.backupDir)).filter((f) => /^config-.*\.yml$/.test(f)).sort();
    for (const old of all.slice(0, Math.max(0, all.length - keep))) {
      await fs.rm(path.join(opts.backupDir, old), { force: true });
    }
    return file;
  }

  /** Inside the lock: back up `before` (if any) and replace the file with `next`. */
  async function commit(before: string | null, next: string): Promise<string | null> {
    const backupPath = before === null ? null : await backup(before);
    await fs.mkdir(path.dirname(opts.configPath), { recursive: true });
    await writeAtomic(opts.configPath, next);
    return backupPath;
  }

  return {
    path: opts.configPath,
    read: () => readText(opts.configPath),
    /** Run `fn` holding both locks (nothing else of the panel writes the config meanwhile). */
    locked<T>(fn: () => Promise<T>): Promise<T> {
      return mutex.run(() => withLockFile(lockPath, fn));
    },
    /** Inside `locked`: replace the file (with a backup of what it held). */
    commit,
    /**
     * Read → `fn(text)` → write, under the locks. If the file changed on disk while `fn` ran (a hand
     * edit), the new text is read and `fn` runs again on it, so the edit is merged, not overwritten.
     * `fn` returns the complete new text, or the same text for "no change"; it validates and throws.
     * `inLock` runs with the outcome before the locks are released (e.g. to number the write).
     */
    update<R = void>(
      fn: (text: string | null) => Promise<string> | string,
      inLock?: (result: ConfigUpdate) => R,
    ): Promise<ConfigUpdate & { extra: R | undefined }> {
      return mutex.run(() =>
        withLockFile(lockPath, async () => {
          for (let round = 0; round < MAX_ROUNDS; round++) {
            const before = await readText(opts.configPath);
            const next = await fn(before);
            let result: ConfigUpdate;
            if (next === before) {
              result = { changed: false, before, after: before, backupPath: null };
            } else {
              if ((await readText(opts.configPath)) !== before) continue;
              result = { changed: true, before, after: next, backupPath: await commit(before, next) };
            }
            return { ...result, extra: inLock?.(result) };
          }
          throw new AppError(
            'CONFLICT',
            `${opts.configPath} kept changing while the panel was updating it; try again`,
          );
        }),
      );
    },
  };
}

/** The config store. */
export type ConfigStore = ReturnType<typeof createConfigStore>;
