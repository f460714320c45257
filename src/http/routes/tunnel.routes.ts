import { z } from 'zod';
import type { TunnelService } from '../../features/tunnel/index.js';
import {
  configSchema,
  connectionSchema,
  healthSchema,
  ingressRuleSchema,
  tunnelSchema,
} from '../../features/tunnel/index.js';
import { healthAnswer, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Tunnel status, the config preview (read-only) and the public tunnel health check. */
export function tunnelRoutes(app: HttpApp, deps: { tunnel: TunnelService }): void {
  app.get(
    '/api/v1/tunnel',
    { schema: { tags: ['tunnel'], response: withErrors({ 200: tunnelSchema }) } },
    async () => deps.tunnel.overview(),
  );

  app.get(
    '/api/v1/tunnel/config',
    { schema: { tags: ['tunnel'], response: withErrors({ 200: configSchema }) } },
    async () => deps.tunnel.configPreview(),
  );

  // ok and degraded still serve traffic (200); down and unconfigured do not (503).
  app.get(
    '/health/tunnel',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Tunnel health (details for signed-in callers)',
        response: { 200: healthAnswer(healthSchema), 503: healthAnswer(healthSchema) },
      },
    },
    async (request, reply) => {
      const health = await deps.tunnel.health();
      return reply
        .code(health.status === 'ok' || health.status === 'degraded' ? 200 : 503)
        .send(request.actor ? health : { status: health.status });
    },
  );
}
