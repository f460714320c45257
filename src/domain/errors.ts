/** Stable error codes of the API (see API.md) and the HTTP status each maps to. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** A body over the route's size limit. */
  PAYLOAD_TOO_LARGE: 413,
  PRECONDITION_FAILED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_ERROR: 502,
  UNAVAILABLE: 503,
} as const;

/** One of the API's error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A field-level validation problem; `path` names the input field (dot-separated). */
export interface ErrorDetail {
  path: string;
  message: string;
  /** The project that holds what the request asked for (a 409 on a subdomain or a port). */
  projectId?: string;
}

/** The one error type services and integrations throw; the HTTP layer maps it to API.md's body. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, opts: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details;
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** 400 with field details. */
export const validationError = (message: string, details?: ErrorDetail[]): AppError =>
  new AppError('VALIDATION_FAILED', message, details ? { details } : {});

/** 404 for a missing thing, named in the message. */
export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`);

/** 409 when the request conflicts with current state. */
export const conflict = (message: string, details?: ErrorDetail[]): AppError =>
  new AppError('CONFLICT', message, details ? { details } : {});

/** 422 when a precondition (e.g. a setting) is missing. */
export const preconditionFailed = (message: string): AppError => new AppError('PRECONDITION_FAILED', message);

/** 502 when Docker, GitHub or Cloudflare failed; the message names the upstream and quotes its reason. */
export const upstreamError = (upstream: string, reason: string, cause?: unknown): AppError =>
  new AppError('UPSTREAM_ERROR', `${upstream}: ${reason}`, { cause });

/** 401 */
export const unauthenticated = (message = 'authentication required'): AppError =>
  new AppError('UNAUTHENTICATED', message);

/** 403 */
export const forbidden = (message = 'not allowed'): AppError => new AppError('FORBIDDEN', message);
