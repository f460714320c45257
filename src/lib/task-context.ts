/** Options for running a program: argv only, never a shell string. */
export interface RunOptions {
  cwd?: string;
  /** Extra environment for the child (merged over a minimal safe environment). */
  env?: Record<string, string>;
  /** Text written to the child's stdin, then closed. */
  stdin?: string;
  /**
   * A byte stream piped into the child's stdin (backpressure kept), closed when the stream ends. If
   * the stream fails, the child's process tree is killed and the run rejects with that error: a
   * program reading a truncated input (a backup from stdin) never sees a clean end of it.
   */
  input?: NodeJS.ReadableStream;
  /** Raw stdout bytes go here (backpressure kept) instead of the log and `stdout` (binary output). */
  output?: NodeJS.WritableStream;
  /** Kill the process tree after this long. */
  timeoutMs?: number;
  /** Exit codes that count as success (default `[0]`); others reject with an AppError. */
  okCodes?: number[];
  /** Do not copy the child's output lines into the task's log (e.g. machine-readable JSON output). */
  quiet?: boolean;
}

/** What a finished program returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program by argv (never a shell): a job's `ctx.run`, or `createRunner()` outside jobs. */
export type Runner = (argv: string[], options?: RunOptions) => Promise<RunResult>;

/** Lines for the person following the work (a job's log); secrets are masked before they are stored. */
export interface TaskLog {
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
}

/**
 * The context long work runs in: jobs implement it, integrations accept it (or the part they need),
 * so an integration can log, run programs and stop on cancel without knowing about jobs.
 */
export interface TaskContext {
  /** Aborted when the work is canceled or the panel shuts down. */
  signal: AbortSignal;
  log: TaskLog;
  /** Run `fn` as a named step: logs start, end and duration (or failure) of the step. */
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Run a program; its output lines stream into the log. Cancel kills its process tree. */
  run: Runner;
  /** Mask this value in every later log line. */
  addSecret(value: string): void;
}
