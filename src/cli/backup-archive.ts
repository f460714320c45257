import fs from 'node:fs';
import { createRunner } from '../lib/process/runner.js';

/** Run `tar` (argv, never a shell) on the one process runner; resolves with stdout. */
async function tar(args: string[]): Promise<string> {
  return (await createRunner({ timeoutMs: 30 * 60_000 })(['tar', ...args], { quiet: true })).stdout;
}

/**
 * Pack `names` from `dir` into a gzip'd tar at `file`, written as `<file>.partial` with mode 0600 (it
 * may hold the secret key) and renamed into place, so a half-written archive never has the real name.
 */
export async function packArchive(file: string, dir: string, names: string[]): Promise<void> {
  const partial = `${file}.partial`;
  fs.rmSync(partial, { force: true });
  fs.writeFileSync(partial, '', { mode: 0o600, flag: 'wx' });
  try {
    await tar(['-czf', partial, '-C', dir, '--', ...names]);
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Unpack an archive into `dir` after checking that it holds only plain names from `allowed` (no
 * paths, no links), so a crafted archive cannot write anywhere else.
 */
export async function unpackArchive(
  file: string,
  dir: string,
  allowed: readonly string[],
): Promise<string[]> {
  const listing = await tar(['-tzvf', file]);
  const names: string[] = [];
  for (const line of listing.split('\n').filter(Boolean)) {
    if (!line.startsWith('-')) throw new Error(`unexpected entry in backup: ${line.slice(0, 120)}`);
    const name = line.split(/\s+/).slice(5).join(' ');
    if (!allowed.includes(name)) throw new Error(`unexpected file in backup: ${name.slice(0, 120)}`);
    names.push(name);
  }
  await tar(['-xzf', file, '-C', dir, '--no-same-owner', '--', ...names]);
  return names;
}
