import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { AppError, upstreamError, validationError } from '../../domain/errors.js';
import type { RunOptions, RunResult } from '../task-context.js';
import { createLineSplitter } from './line-splitter.js';
import { killTree, signalGroup } from './process-tree.js';

/** A fixed search path: children do not inherit the panel's environment. */
export const DEFAULT_CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_CAPTURE_CHARS = 16 * 1024 * 1024;
const STDERR_TAIL_LINES = 10;

/** What the job runtime gives `runProcess` besides the program and its options. */
export interface RunDeps {
  signal: AbortSignal;
  /** Called per output line (unless `quiet`); `dropped` counts characters cut from a huge line. */
  onLine(stream: 'stdout' | 'stderr', text: string, dropped: number): void;
  /** When it returns a promise, output is paused until it settles (the log store is behind). */
  backpressure?(): Promise<void> | undefined;
  /** Masks secrets in the error message built from stderr. */
  mask(text: string): string;
  /** Base environment (PATH, HOME, LANG); `options.env` is merged over it. */
  baseEnv?: Record<string, string>;
  /** Time between SIGTERM and SIGKILL when a tree is killed. */
  killGraceMs?: number;
}

/** The minimal environment children start with. */
export const minimalEnv = (): Record<string, string> => ({
  PATH: DEFAULT_CHILD_PATH,
  HOME: os.homedir(),
  LANG: 'C.UTF-8',
});

function append(buf: { text: string }, chunk: string) {
  if (buf.text.length < MAX_CAPTURE_CHARS) buf.text += chunk.slice(0, MAX_CAPTURE_CHARS - buf.text.length);
}

/**
 * Run argv (never a shell string) as the leader of its own process group, stream its lines, and
 * kill the whole tree on abort or timeout. Rejects with an AppError on spawn failure, a bad exit
 * code (quoting the last stderr lines, masked), a timeout or an abort.
 */
export function runProcess(argv: string[], options: RunOptions, deps: RunDeps): Promise<RunResult> {
  const [bin, ...args] = argv;
  if (!bin) return Promise.reject(validationError('run needs a program to run'));
  if (deps.signal.aborted) return Promise.reject(abortError(deps.signal));
  const name = path.basename(bin);
  const graceMs = deps.killGraceMs ?? 5000;

  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: options.cwd,
      env: { ...(deps.baseEnv ?? minimalEnv()), ...options.env },
      stdio: [options.stdin === undefined && !options.input ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so cancel can kill every descendant
    });
    const out = { text: '' };
    const err = { text: '' };
    const tail: string[] = [];
    let stopReason: AppError | null = null;
    let cancelKill: (() => void) | null = null;
    let exitTimer: NodeJS.Timeout | null = null;

    const stop = (reason: AppError) => {
      if (stopReason) return;
      stopReason = reason;
      cancelKill = killTree(child, graceMs);
    };
    const onAbort = () => stop(abortError(deps.signal));
    deps.signal.addEventListener('abort', onAbort, { once: true });
    const timeout =
      options.timeoutMs !== undefined
        ? setTimeout(
            () => stop(new AppError('UPSTREAM_ERROR', `${name}: timed out after ${options.timeoutMs} ms`)),
            options.timeoutMs,
          )
        : null;

    const stdoutLines = createLineSplitter((text, dropped) => {
      if (!options.quiet) deps.onLine('stdout', text, dropped);
    });
    const stderrLines = createLineSplitter((text, dropped) => {
      tail.push(text);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      if (!options.quiet) deps.onLine('stderr', text, dropped);
    });
    let paused = false;
    const throttle = () => {
      const wait = paused ? undefined : deps.backpressure?.();
      if (!wait) return;
      paused = true;
      // Piped binary output keeps its own flow control (the pipe pauses and resumes it).
      if (!options.output) child.stdout?.pause();
      child.stderr?.pause();
      void wait.finally(() => {
        paused = false;
        if (!options.output) child.stdout?.resume();
        child.stderr?.resume();
      });
    };
    const streamFailed = (what: string) => (e: unknown) =>
      stop(
        e instanceof AppError
          ? e
          : upstreamError(name, `${what} failed: ${e instanceof Error ? e.message : String(e)}`),
      );
    if (options.output) {
      // Not ended here: the caller ends it once the run succeeded (a reader must not take a cut-off
      // stream for a whole one).
      options.output.on('error', streamFailed('its output'));
      child.stdout?.pipe(options.output as NodeJS.WritableStream, { end: false });
    } else {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        append(out, chunk);
        stdoutLines.push(chunk);
        throttle();
      });
    }
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      append(err, chunk);
      stderrLines.push(chunk);
      throttle();
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the program does not read its input
      if (options.input) {
        options.input.on('error', streamFailed('its input'));
        options.input.pipe(child.stdin);
      } else child.stdin.end(options.stdin);
    }

    const cleanup = () => {
      deps.signal.removeEventListener('abort', onAbort);
      if (timeout) clearTimeout(timeout);
      if (exitTimer) clearTimeout(exitTimer);
      cancelKill?.();
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(upstreamError(name, e.code === 'ENOENT' ? 'program not found' : e.message, e));
    });
    // A leftover descendant can hold the pipes open after the program exited: it is part of this
    // step and goes with it.
    child.on('exit', () => {
      exitTimer = setTimeout(() => child.pid && signalGroup(child.pid, 'SIGKILL'), 1000);
      exitTimer.unref();
    });
    child.on('close', (code, signal) => {
      cleanup();
      stdoutLines.end();
      stderrLines.end();
      if (stopReason) return reject(stopReason);
      const exitCode = code ?? 128;
      const ok = options.okCodes ?? [0];
      if (signal === null && ok.includes(exitCode)) {
        return resolve({ code: exitCode, stdout: out.text, stderr: err.text });
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
      const last = tail.filter((l) => l.trim() !== '').join('\n');
      reject(upstreamError(name, deps.mask(last ? `${how}: ${last}` : how).slice(0, 4000)));
    });
  });
}

/** The error a run rejects with when its job was aborted. */
function abortError(signal: AbortSignal): AppError {
  return signal.reason instanceof AppError ? signal.reason : new AppError('CONFLICT', 'job was canceled');
}
