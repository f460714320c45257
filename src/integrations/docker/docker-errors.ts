import { AppError, conflict, notFound, upstreamError, validationError } from '../../domain/errors.js';

/** Upstream name used in every Docker error message. */
export const DOCKER_UPSTREAM = 'Docker engine';

interface EngineError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: unknown;
}

/** The engine's own message (`{"message": …}` body), else the transport error's message. */
export function engineReason(err: unknown): string {
  const e = (err ?? {}) as EngineError;
  const json = e.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim().slice(0, 300);
  const message = typeof e.message === 'string' ? e.message : String(err);
  // dockerode prefixes "(HTTP code 404) no such container - "; keep the engine's part only.
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/**
 * The one place that turns engine failures into domain errors: 404 → NOT_FOUND, 409 → CONFLICT,
 * 400 → VALIDATION_FAILED, anything else (including an unreachable engine) → 502 UPSTREAM_ERROR
 * quoting the reason. `what` names the object for 404s ("container web").
 */
export function toDomainError(err: unknown, what?: string): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as EngineError;
  const reason = engineReason(err);
  switch (e.statusCode) {
    case 404:
      return what ? notFound(what) : new AppError('NOT_FOUND', `${DOCKER_UPSTREAM}: ${reason}`);
    case 409:
      return conflict(`${DOCKER_UPSTREAM}: ${reason}`);
    case 400:
      return validationError(`${DOCKER_UPSTREAM}: ${reason}`);
    default:
      return upstreamError(DOCKER_UPSTREAM, reason || 'request failed', err);
  }
}

/** Whether an engine error carries this HTTP status (dockerode sets `statusCode`). */
export const hasStatus = (err: unknown, status: number): boolean =>
  (err as EngineError | null)?.statusCode === status;
