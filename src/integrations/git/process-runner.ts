import { spawn } from 'node:child_process';
import { AppError } from '../../domain/errors.js';
import type { RunOptions, RunResult } from '../../jobs/job-types.js';

/** A program runner with the shape of the job context's `ctx.run`. */
export type RunFn = (argv: string[], options?: RunOptions) => Promise<RunResult>;

const MAX_CAPTURE = 1024 * 1024;

/**
 * A stand-alone runner for use outside jobs (and in tests): argv only, a minimal environment plus
 * `options.env`, the process group killed on timeout or abort. Inside a job use `ctx.run` instead.
 */
export function createProcessRunner(
  opts: { signal?: AbortSignal; baseEnv?: Record<string, string> } = {},
): RunFn {
  const baseEnv = opts.baseEnv ?? {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
  };
  return (argv, options = {}) =>
    new Promise<RunResult>((resolve, reject) => {
      const [bin, ...args] = argv;
      if (!bin) return reject(new AppError('VALIDATION_FAILED', 'empty command'));
      opts.signal?.throwIfAborted();
      const child = spawn(bin, args, {
        cwd: options.cwd,
        env: { ...baseEnv, ...options.env },
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let killedFor: string | null = null;
      child.stdout?.on('data', (d: Buffer) => {
        if (stdout.length < MAX_CAPTURE) stdout += d.toString('utf8');
      });
      child.stderr?.on('data', (d: Buffer) => {
        if (stderr.length < MAX_CAPTURE) stderr += d.toString('utf8');
      });
      if (options.stdin !== undefined) child.stdin?.end(options.stdin);
      const kill = (why: string) => {
        killedFor = why;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = options.timeoutMs ? setTimeout(() => kill('timed out'), options.timeoutMs) : null;
      const onAbort = () => kill('canceled');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        reject(new AppError('INTERNAL', `${bin} could not start: ${err.message}`));
      });
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const exit = code ?? -1;
        if (killedFor) return reject(new AppError('UPSTREAM_ERROR', `${bin} ${killedFor}`));
        if (!(options.okCodes ?? [0]).includes(exit)) {
          const last = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300);
          return reject(new AppError('UPSTREAM_ERROR', `${bin} exited with code ${exit}: ${last}`));
        }
        resolve({ code: exit, stdout, stderr });
      });
    });
}
