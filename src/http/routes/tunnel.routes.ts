import { z } from 'zod';
import type { TunnelService } from '../../features/tunnel/tunnel.service.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** API.md's IngressRule. */
export const ingressRuleSchema = z.object({
  hostname: z.string().nullable(),
  path: z.string().nullable(),
  service: z.string(),
  managed: z.boolean(),
  projectId: z.string().nullable(),
});

const connectionSchema = z.object({
  id: z.string(),
  coloName: z.string().nullable(),
  openedAt: z.string().nullable(),
  originIp: z.string().nullable(),
  clientId: z.string().nullable(),
  clientVersion: z.string().nullable(),
  pendingReconnect: z.boolean(),
});

const tunnelSchema = z.object({
  mode: z.enum(['local', 'remote']),
  name: z.string().nullable(),
  id: z.string().nullable(),
  rules: z.array(ingressRuleSchema),
  connections: z.array(connectionSchema).nullable(),
  lastRestartAt: z.string().nullable(),
});

const configSchema = z.object({
  path: z.string(),
  content: z.string(),
  valid: z.boolean(),
  errors: z.array(z.string()),
  rules: z.array(ingressRuleSchema),
});

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down', 'unconfigured']),
  mode: z.enum(['local', 'remote']),
  tunnel: z.object({ name: z.string().nullable(), id: z.string().nullable() }).nullable(),
  connections: z.number().nullable(),
  config: z.object({ path: z.string(), valid: z.boolean(), errors: z.array(z.string()) }),
  message: z.string().nullable(),
});

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
      schema: { tags: ['health'], response: { 200: healthSchema, 503: healthSchema } },
    },
    async (_request, reply) => {
      const health = await deps.tunnel.health();
      return reply.code(health.status === 'ok' || health.status === 'degraded' ? 200 : 503).send(health);
    },
  );
}
