import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../../db/database.js';
import { AppError, ERROR_STATUS, type ErrorCode, type ErrorDetail } from '../../domain/errors.js';
import { detailsFor, summaryOf, type ValidationIssue } from './validation-messages.js';

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
      // zod's wording never reaches people: each issue becomes a sentence on its field.
      const context = (error as { validationContext?: string }).validationContext ?? '';
      const details = detailsFor(error.validation as unknown as ValidationIssue[], context);
      return send(reply, request, 400, 'VALIDATION_FAILED', summaryOf(details), details);
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
