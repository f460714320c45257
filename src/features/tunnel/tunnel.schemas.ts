import { z } from 'zod';

/** API.md's IngressRule. */
export const ingressRuleSchema = z.object({
  hostname: z.string().nullable(),
  path: z.string().nullable(),
  service: z.string(),
  managed: z.boolean(),
  projectId: z.string().nullable(),
});

export const connectionSchema = z.object({
  id: z.string(),
  coloName: z.string().nullable(),
  openedAt: z.string().nullable(),
  originIp: z.string().nullable(),
  clientId: z.string().nullable(),
  clientVersion: z.string().nullable(),
  pendingReconnect: z.boolean(),
});

export const tunnelSchema = z.object({
  mode: z.enum(['local', 'remote']),
  name: z.string().nullable(),
  id: z.string().nullable(),
  rules: z.array(ingressRuleSchema),
  connections: z.array(connectionSchema).nullable(),
  lastRestartAt: z.string().nullable(),
  /**
   * How publishing restarts the tunnel: replicas restarted one at a time (`swarm`: the Swarm service's
   * replicas, rolled by the Swarm), and a warning with a single one.
   */
  restart: z.object({
    mode: z.enum(['systemd', 'docker', 'swarm', 'none']),
    replicas: z.number(),
    warning: z.string().nullable(),
  }),
});

export const configSchema = z.object({
  path: z.string(),
  content: z.string(),
  valid: z.boolean(),
  errors: z.array(z.string()),
  rules: z.array(ingressRuleSchema),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down', 'unconfigured']),
  mode: z.enum(['local', 'remote']),
  tunnel: z.object({ name: z.string().nullable(), id: z.string().nullable() }).nullable(),
  connections: z.number().nullable(),
  config: z.object({ path: z.string(), valid: z.boolean(), errors: z.array(z.string()) }),
  message: z.string().nullable(),
});

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(ingressRuleSchema, { id: 'IngressRule' });
z.globalRegistry.add(connectionSchema, { id: 'TunnelConnection' });
z.globalRegistry.add(tunnelSchema, { id: 'TunnelState' });
z.globalRegistry.add(configSchema, { id: 'TunnelConfig' });
z.globalRegistry.add(healthSchema, { id: 'TunnelHealth' });
