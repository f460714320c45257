import { spawn } from 'node:child_process';
import path from 'node:path';
import { AppError, upstreamError } from '../../domain/errors.js';
import type { RunOptions, RunResult } from '../../features/jobs/job-types.js';

/** Runs a program by argv (never a shell): a job's `ctx.run`, or the plain runner below outside jobs. */
export type Runner = (argv: string[], options?: RunOptions) => Promise<RunResult>;

/** Every exit code: callers that read the program's answer themselves (e.g. cloudflared's code 1003). */
export const ANY_EXIT_CODE: number[] = Array.from({ length: 256 }, (_, i) => i);

/** The PATH children get: system directories only, so no secret of the panel's environment leaks. */
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Last non-empty line of a program's output, for error messages. */
export const lastLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1)
    ?.slice(0, 500) ?? '';

/**
 * Spawn-based runner for work outside a job (health checks, the shared tunnel restart): minimal
 * environment, its own process group so a timeout kills the whole tree, output collected.
 */
export function createSpawnRunner(defaults: { timeoutMs?: number } = {}): Runner {
  return (argv, options = {}) =>
    new Promise<RunResult>((resolve, reject) => {
      const [bin, ...args] = argv;
      if (!bin) {
        reject(new AppError('INTERNAL', 'empty argv'));
        return;
      }
      const name = path.basename(bin);
      const child = spawn(bin, args, {
        cwd: options.cwd,
        env: { PATH: SAFE_PATH, LANG: 'C.UTF-8', ...options.env },
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timeoutMs = options.timeoutMs ?? defaults.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const reason = err.code === 'ENOENT' ? `${bin} not found` : err.message;
        reject(upstreamError(name, reason, err));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(upstreamError(name, `timed out after ${timeoutMs} ms`));
          return;
        }
        const exit = code ?? (signal ? 128 : 1);
        if (!(options.okCodes ?? [0]).includes(exit)) {
          const why = lastLine(stderr) || lastLine(stdout) || `signal ${signal ?? 'none'}`;
          reject(upstreamError(name, `exited with code ${exit}: ${why}`));
          return;
        }
        resolve({ code: exit, stdout, stderr });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
    });
}
