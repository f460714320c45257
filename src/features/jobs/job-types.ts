import type { Logger } from 'pino';
import type { z } from 'zod';
import type { TaskContext } from '../../lib/task-context.js';

/** What a job handler gets: the task context (log, steps, programs, cancel) plus its job and input. */
export interface JobContext<I = unknown> extends TaskContext {
  job: { id: string; type: string; projectId: string | null; actor: string | null };
  input: I;
  /** The process logger, bound to the job id (for operators, not users). */
  logger: Logger;
}

/** A job type: its name, typed input schema and handler. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  type: string;
  input: S;
  handler(ctx: JobContext<z.output<S>>): Promise<unknown>;
}

/** Helper that keeps the handler's input typed from its schema. */
export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> => def;
