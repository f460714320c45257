import type { RunOptions, RunResult } from '../../features/jobs/job-types.js';
import { runProcess } from '../../lib/process/run-process.js';

/** A program runner with the shape of the job context's `ctx.run`. */
export type RunFn = (argv: string[], options?: RunOptions) => Promise<RunResult>;

/**
 * A stand-alone runner for use outside jobs (and in tests), on the job runtime's `runProcess`: argv
 * only, a minimal environment plus `options.env`, the process tree killed on timeout or abort, output
 * not streamed anywhere. Inside a job use `ctx.run`, which streams into the job log.
 */
export function createProcessRunner(
  opts: { signal?: AbortSignal; mask?: (text: string) => string } = {},
): RunFn {
  const signal = opts.signal ?? new AbortController().signal;
  const mask = opts.mask ?? ((text: string) => text);
  return (argv, options = {}) => runProcess(argv, options, { signal, mask, onLine: () => {} });
}
