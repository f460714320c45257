import { z } from 'zod';

/** API.md's node of a Swarm. */
export const nodeSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  role: z.enum(['manager', 'worker']),
  availability: z.enum(['active', 'pause', 'drain']),
  state: z.string(),
  engineVersion: z.string(),
  labels: z.record(z.string(), z.string()),
  address: z.string().nullable(),
  leader: z.boolean(),
  reachability: z.string().nullable(),
  resources: z.object({ nanoCpus: z.number(), memoryBytes: z.number() }),
  self: z.boolean(),
});

/** `GET /api/v1/nodes`. */
export const nodesAnswerSchema = z.object({
  mode: z.enum(['single', 'swarm']),
  role: z.enum(['manager', 'worker']).nullable(),
  items: z.array(nodeSchema),
});

/** A Swarm node id (swarmkit ids are 25 base-36 characters; a little slack). */
export const nodeParams = z
  .object({ id: z.string().regex(/^[a-z0-9]{10,64}$/, 'expected a node id') })
  .strict();

/** `GET /api/v1/nodes/join` (admin). */
export const joinSchema = z.object({ command: z.string(), token: z.string(), managers: z.array(z.string()) });

z.globalRegistry.add(nodeSchema, { id: 'SwarmNode' });
z.globalRegistry.add(nodesAnswerSchema, { id: 'SwarmNodes' });
