import type { Runner } from '../task-context.js';
import { type RunDeps, runProcess } from './run-process.js';

/** Every exit code: callers that read the program's answer themselves (e.g. cloudflared's code 1003). */
export const ANY_EXIT_CODE: number[] = Array.from({ length: 256 }, (_, i) => i);

/** Last non-empty line of a program's output, for error messages. */
export const lastLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1)
    ?.slice(0, 500) ?? '';

/**
 * A runner for work outside a job (health checks, the shared tunnel restart, tests) on the one
 * `runProcess`: argv only, the minimal environment plus `options.env`, the process tree killed on
 * timeout (default 60 s) or abort, output collected but not streamed. Inside a job use `ctx.run`,
 * which streams into the job log.
 */
export function createRunner(
  opts: { signal?: AbortSignal; mask?: (text: string) => string; timeoutMs?: number } = {},
): Runner {
  const deps: RunDeps = {
    signal: opts.signal ?? new AbortController().signal,
    mask: opts.mask ?? ((text) => text),
    onLine: () => {},
  };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return (argv, options = {}) => runProcess(argv, { timeoutMs, ...options }, deps);
}
