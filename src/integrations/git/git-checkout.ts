import path from 'node:path';
import { validationError } from '../../domain/errors.js';
import type { Runner } from '../../lib/task-context.js';
import { GIT_TIMEOUT_MS, gitAuthEnv } from './git-clone.js';

/**
 * Put a clone's work tree at exactly `commit` (a rollback to a release): from the local objects when
 * the clone still has the commit (a shallow fetch keeps earlier objects), else fetched from origin by
 * its id first (GitHub serves any reachable commit). Local changes to tracked files are discarded.
 */
export async function checkoutCommit(input: {
  dest: string;
  commit: string;
  token: string | null;
  run: Runner;
  addSecret?: (value: string) => void;
  signal?: AbortSignal;
}): Promise<'local' | 'fetched'> {
  if (!/^[0-9a-f]{40}$/.test(input.commit)) {
    throw validationError('invalid commit', [
      { path: 'commit', message: 'expected a 40-character commit id' },
    ]);
  }
  const dest = path.resolve(input.dest);
  const has = await input.run(['git', '-C', dest, 'cat-file', '-e', `${input.commit}^{commit}`], {
    quiet: true,
    okCodes: [0, 1, 128],
  });
  let how: 'local' | 'fetched' = 'local';
  if (has.code !== 0) {
    const remote = await input.run(['git', '-C', dest, 'config', '--get', 'remote.origin.url'], {
      quiet: true,
    });
    const env = gitAuthEnv(input.token, new URL(remote.stdout.trim()).origin, input.addSecret);
    input.signal?.throwIfAborted();
    await input.run(['git', '-C', dest, 'fetch', '--depth', '1', '--no-tags', '--', 'origin', input.commit], {
      env,
      timeoutMs: GIT_TIMEOUT_MS,
    });
    how = 'fetched';
  }
  await input.run(['git', '-C', dest, 'reset', '--hard', input.commit], { timeoutMs: GIT_TIMEOUT_MS });
  return how;
}
