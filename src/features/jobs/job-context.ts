import type { Logger } from 'pino';
import type { Masker } from '../../lib/log-masking.js';
import { type RunDeps, runProcess } from '../../lib/process/run-process.js';
import type { JobLogWriter } from './job-log-writer.js';
import type { JobContext } from './job-types.js';

/** Everything a job context is built from. */
export interface JobContextDeps<I> {
  job: JobContext['job'];
  input: I;
  signal: AbortSignal;
  writer: JobLogWriter;
  masker: Masker;
  logger: Logger;
  baseEnv?: Record<string, string> | undefined;
  killGraceMs?: number | undefined;
}

/** Seconds with one decimal, for step lines. */
export const formatDuration = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A short, safe description of any thrown value. */
export const describeError = (err: unknown): string =>
  err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : 'unknown error';

/** Build the `ctx` a handler receives. */
export function createJobContext<I>(deps: JobContextDeps<I>): JobContext<I> {
  const { writer } = deps;
  const runDeps: RunDeps = {
    signal: deps.signal,
    onLine: (stream, text, dropped) => writer.write(stream, text, dropped),
    backpressure: () => writer.pressure(),
    mask: deps.masker.mask,
    ...(deps.baseEnv ? { baseEnv: deps.baseEnv } : {}),
    ...(deps.killGraceMs !== undefined ? { killGraceMs: deps.killGraceMs } : {}),
  };
  return {
    job: deps.job,
    input: deps.input,
    signal: deps.signal,
    logger: deps.logger,
    log: {
      info: (text) => writer.write('system', text),
      warn: (text) => writer.write('system', `warning: ${text}`),
      error: (text) => writer.write('system', `error: ${text}`),
    },
    async step(title, fn) {
      // A canceled job stops at its next step.
      if (deps.signal.aborted) throw deps.signal.reason;
      const started = performance.now();
      writer.write('system', `▶ ${title}`);
      try {
        const value = await fn();
        writer.write('system', `✓ ${title} (${formatDuration(performance.now() - started)})`);
        return value;
      } catch (err) {
        const took = formatDuration(performance.now() - started);
        writer.write('system', `✗ ${title} failed after ${took}: ${describeError(err)}`);
        throw err;
      }
    },
    run: (argv, options = {}) => {
      const shown = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
      if (!options.quiet) writer.write('system', `$ ${shown}`);
      return runProcess(argv, options, runDeps);
    },
    addSecret: (value) => deps.masker.add(value),
  };
}
