import fs from 'node:fs/promises';
import os from 'node:os';
import { conflict } from '../../domain/errors.js';

/** A lock older than this is taken over even if its owner still seems alive (a hung or foreign holder). */
const STALE_MS = 120_000;

interface LockInfo {
  pid: number;
  host: string;
  at: number;
}

async function ownerGone(file: string, info: LockInfo | null): Promise<boolean> {
  if (!info) {
    // Created but not written yet (or garbage): only its age tells.
    const stat = await fs.stat(file).catch(() => null);
    return stat === null || Date.now() - stat.mtimeMs > STALE_MS;
  }
  if (Date.now() - info.at > STALE_MS) return true;
  if (info.host !== os.hostname()) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readInfo(file: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Holds `<file>` created with O_EXCL while `fn` runs, so another panel process (or the CLI) never
 * writes the same config at once. A lock left by a dead process (or older than two minutes) is
 * taken over; waiting longer than `timeoutMs` is a CONFLICT naming the holder.
 */
export async function withLockFile<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const info = await readInfo(file);
      if (await ownerGone(file, info)) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw conflict(
          `${file} is held by process ${info?.pid ?? '?'}; another panel process is writing the tunnel config, try again`,
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 200);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}
