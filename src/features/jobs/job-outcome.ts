import type { JobsTable } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import type { Masker } from '../../lib/log-masking.js';

/** A job's stored error. */
export interface JobError {
  code: string;
  message: string;
}

/** Abort reason when an operator cancels a job. */
export const canceledError = (): AppError => new AppError('CONFLICT', 'job was canceled');
/** Abort reason when the panel stops while a job runs. */
export const shutdownError = (): AppError =>
  new AppError('UNAVAILABLE', 'the panel stopped while this job was running');
/** The error of a job found `running` after a crash. */
export const crashError = (): AppError =>
  new AppError('UNAVAILABLE', 'the panel stopped (crash or restart) while this job was running');

/** How a job ended: the row fields to store plus the last log line to write. */
export interface JobOutcome {
  status: JobsTable['status'];
  error: JobError | null;
  /** Extra log lines (details of an unexpected error). */
  details: string[];
}

/**
 * Map what a handler threw to the job's outcome. An AppError keeps its code and (masked) message;
 * anything else is INTERNAL with a safe message, its details going to the job log only.
 */
export function outcomeOfFailure(err: unknown, signal: AbortSignal, masker: Masker): JobOutcome {
  if (signal.aborted) {
    const reason = signal.reason instanceof AppError ? signal.reason : canceledError();
    return reason.code === 'UNAVAILABLE'
      ? { status: 'interrupted', error: { code: reason.code, message: reason.message }, details: [] }
      : { status: 'canceled', error: null, details: [] };
  }
  if (err instanceof AppError) {
    return { status: 'failed', error: { code: err.code, message: masker.mask(err.message) }, details: [] };
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return {
    status: 'failed',
    error: { code: 'INTERNAL', message: 'the job failed unexpectedly; the job log has details' },
    details: [`unexpected error: ${detail}`],
  };
}
