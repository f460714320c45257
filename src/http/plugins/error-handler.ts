import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../../db/database.js';
import { AppError, ERROR_STATUS, type ErrorCode, type ErrorDetail } from '../../domain/errors.js';

/** Field details from a schema validation error (zod issues as fastify-type-provider-zod reports them). */
function detailsOf(error: FastifyError): ErrorDetail[] {
  const context = (error as { validationContext?: string }).validationContext ?? '';
  return (error.validation ?? []).map((v) => {
    const base = v.instancePath.replace(/^\//, '').split('/').filter(Boolean);
    const keys = (v.params as { keys?: string[] } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && keys) {
      return { path: keys.map((k) => [...base, k].join('.')).join(','), message: 'unknown field' };
    }
    return { path: base.join('.') || context, message: v.message ?? 'invalid value' };
  });
}

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: ErrorCode | string,
  message: string,
  details?: ErrorDetail[],
) {
  return reply.status(status).send({
    error: { code, message, ...(details && details.length > 0 ? { details } : {}), requestId: request.id },
  });
}

/** The one error handler: every failure becomes API.md's error body; 500s never carry internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.warn({ err: error }, 'request failed upstream');
      return send(reply, request, error.status, error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return send(reply, request, 400, 'VALIDATION_FAILED', 'request is invalid', detailsOf(error));
    }
    const status = error.statusCode ?? 500;
    if (status === 429)
      return send(reply, request, 429, 'RATE_LIMITED', 'too many requests, try again later');
    if (status >= 400 && status < 500) {
      const code: ErrorCode =
        status === 404
          ? 'NOT_FOUND'
          : status === 401
            ? 'UNAUTHENTICATED'
            : status === 413
              ? 'PAYLOAD_TOO_LARGE'
              : 'VALIDATION_FAILED';
      return send(reply, request, status, code, error.message || 'request is invalid');
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error.message }, 'database unavailable');
      return send(reply, request, 503, 'UNAVAILABLE', 'the database is unavailable; try again shortly');
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, ERROR_STATUS.INTERNAL, 'INTERNAL', 'internal error');
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, 404, 'NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
