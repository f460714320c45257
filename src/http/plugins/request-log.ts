import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** Probes and static assets: logged at debug so health checks do not flood the log. */
const QUIET = /^\/(healthz|health\/|assets\/)/;

/**
 * One access-log line per request (not Fastify's two), with method, path, status and duration; the
 * request id rides along as `reqId`. Health probes and assets go to debug.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url.split('?')[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (QUIET.test(request.url)) reply.log.debug(line, 'request');
    else reply.log.info(line, 'request');
  }
}
