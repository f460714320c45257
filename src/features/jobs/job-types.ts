import type { Logger } from 'pino';
import type { z } from 'zod';

/** Options for running a program as part of a job: argv only, never a shell string. */
export interface RunOptions {
  cwd?: string;
  /** Extra environment for the child (merged over a minimal safe environment). */
  env?: Record<string, string>;
  /** Text written to the child's stdin, then closed. */
  stdin?: string;
  /** Kill the process tree after this long. */
  timeoutMs?: number;
  /** Exit codes that count as success (default `[0]`); others reject with an AppError. */
  okCodes?: number[];
  /** Do not copy the child's output lines into the job log (e.g. machine-readable JSON output). */
  quiet?: boolean;
}

/** What a finished program returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What a job handler gets: its input, a job log, an abort signal, steps and a way to run programs. */
export interface JobContext<I = unknown> {
  job: { id: string; type: string; projectId: string | null; actor: string | null };
  input: I;
  /** Aborted when the job is canceled or the panel shuts down. */
  signal: AbortSignal;
  /** Lines written to the job log (stream `system`); secrets are masked before they are stored. */
  log: { info(text: string): void; warn(text: string): void; error(text: string): void };
  /** The process logger, bound to the job id (for operators, not users). */
  logger: Logger;
  /** Run `fn` as a named step: logs start, end and duration (or failure) of the step. */
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Run a program (argv[0] + args); its stdout/stderr lines stream into the job log. Cancel kills its tree. */
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** Mask this value in every later log line of the job. */
  addSecret(value: string): void;
}

/** A job type: its name, typed input schema and handler. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  type: string;
  input: S;
  handler(ctx: JobContext<z.output<S>>): Promise<unknown>;
}

/** Helper that keeps the handler's input typed from its schema. */
export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> => def;
