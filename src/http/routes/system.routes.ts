import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { SystemService } from '../../features/system/index.js';
import { dockerHealthSchema, dockerStatsSchema, hostSchema } from '../../features/system/index.js';
import { healthAnswer, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** `GET /api/v1/system/docker`, `GET /api/v1/system/host` and the public `GET /health/docker`. */
export function systemRoutes(app: HttpApp, deps: { system: SystemService }): void {
  app.get(
    '/api/v1/system/docker',
    { schema: { tags: ['system'], response: withErrors({ 200: dockerStatsSchema }) } },
    async () => deps.system.dockerStats(),
  );

  app.get(
    '/api/v1/system/host',
    { schema: { tags: ['system'], response: withErrors({ 200: hostSchema }) } },
    async () => deps.system.host(),
  );

  app.get(
    '/health/docker',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Docker engine health (details for signed-in callers)',
        response: { 200: healthAnswer(dockerHealthSchema), 503: healthAnswer(dockerHealthSchema) },
      },
    },
    async (request, reply) => {
      try {
        const health = { status: 'ok' as const, ...(await deps.system.dockerHealth()) };
        return request.actor ? health : { status: health.status };
      } catch (err) {
        const message = err instanceof AppError ? err.message : 'Docker engine: unreachable';
        return reply
          .code(503)
          .send(request.actor ? { status: 'down' as const, message } : { status: 'down' });
      }
    },
  );
}
