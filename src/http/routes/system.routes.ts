import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { SystemService } from '../../features/system/system.service.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

const dockerStatsSchema = z.object({
  containers: z.object({ total: z.number(), running: z.number(), stopped: z.number() }),
  images: z.object({ count: z.number(), size: z.number() }),
  volumes: z.object({ count: z.number(), size: z.number() }),
  buildCache: z.object({ size: z.number() }),
  totalSize: z.number(),
  reclaimable: z.number(),
  measuredAt: z.string(),
});

const hostSchema = z.object({
  cpus: z.number(),
  memoryTotal: z.number(),
  memoryAvailable: z.number(),
  load: z.tuple([z.number(), z.number(), z.number()]),
  disk: z.object({ path: z.string(), total: z.number(), free: z.number() }),
});

const dockerHealthSchema = z.union([
  z.object({
    status: z.literal('ok'),
    engineVersion: z.string(),
    apiVersion: z.string(),
    latencyMs: z.number(),
  }),
  z.object({ status: z.literal('down'), message: z.string() }),
]);

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
      schema: { tags: ['health'], response: { 200: dockerHealthSchema, 503: dockerHealthSchema } },
    },
    async (_request, reply) => {
      try {
        return { status: 'ok' as const, ...(await deps.system.dockerHealth()) };
      } catch (err) {
        const message = err instanceof AppError ? err.message : 'Docker engine: unreachable';
        return reply.code(503).send({ status: 'down' as const, message });
      }
    },
  );
}
