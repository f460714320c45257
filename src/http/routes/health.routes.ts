import { z } from 'zod';
import type { HttpApp } from '../server.js';

/** `GET /healthz`. */
export function healthRoutes(app: HttpApp, deps: { version: string; startedAt: number }): void {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        response: {
          200: z.object({ status: z.literal('ok'), version: z.string(), uptimeSeconds: z.number() }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    }),
  );
}
