import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseJson } from '../lib/json.js';

/** Request headers a forwarded request keeps (content negotiation and conditional requests). */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-encoding',
  'if-none-match',
  'if-modified-since',
  'range',
];

/** Response headers a forwarded reply carries over (the panel adds its own security headers). */
const COPIED_RESPONSE_HEADERS = [
  'content-type',
  'content-encoding',
  'content-security-policy',
  'cache-control',
  'vary',
  'etag',
  'last-modified',
  'location',
  'accept-ranges',
  'content-range',
];

/**
 * A Fastify instance built on its first request, for parts of the panel that few requests need (the API
 * description, Swagger UI, the web UI's files): their plugins are neither loaded nor registered at start.
 * Routes on the panel forward to it in-process (`inject`); authorization, request ids and security headers
 * stay with the panel, and a 404 from it becomes the panel's own not-found answer (API.md's error body).
 */
export function createLazyApp(build: () => Promise<FastifyInstance>) {
  let instance: Promise<FastifyInstance> | null = null;

  const get = (): Promise<FastifyInstance> => {
    instance ??= build().catch((err: unknown) => {
      instance = null; // the next request tries again
      throw err;
    });
    return instance;
  };

  return {
    /** The instance (built now if it is not yet). */
    instance: get,
    /** Route handler: answer `request` from the instance. */
    async forward(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const app = await get();
      const headers: Record<string, string> = {};
      for (const h of FORWARDED_REQUEST_HEADERS) {
        const v = request.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      // HEAD is asked as GET: the panel's HEAD route then sends the GET's headers and length, without the body.
      const res = await app.inject({ method: 'GET', url: request.url, headers });
      if (res.statusCode === 404) {
        reply.callNotFound();
        return reply;
      }
      if (res.statusCode >= 400) {
        // The panel's error handler writes the body (API.md), from the status and message given here.
        const message = parseJson<{ message?: unknown } | null>(res.body, null)?.message;
        throw Object.assign(new Error(typeof message === 'string' ? message : res.statusMessage), {
          statusCode: res.statusCode,
        });
      }
      for (const h of COPIED_RESPONSE_HEADERS) {
        const v = res.headers[h];
        if (v !== undefined) reply.header(h, v);
      }
      reply.code(res.statusCode);
      return res.rawPayload.length === 0 ? reply.send() : reply.send(res.rawPayload);
    },
  };
}
