import { z } from 'zod';

/** API.md's task of a Swarm project. */
export const taskSchema = z.object({
  id: z.string(),
  service: z.string(),
  slot: z.number().nullable(),
  node: z.string().nullable(),
  nodeId: z.string().nullable(),
  state: z.string(),
  desiredState: z.string(),
  error: z.string().nullable(),
  message: z.string().nullable(),
  containerId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** One line of a Swarm project's service logs. */
export const serviceLogLineSchema = z.object({
  ts: z.string().nullable(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  service: z.string(),
  taskId: z.string().nullable(),
  nodeId: z.string().nullable(),
  node: z.string().nullable(),
});

z.globalRegistry.add(taskSchema, { id: 'SwarmTask' });
z.globalRegistry.add(serviceLogLineSchema, { id: 'ServiceLogLine' });
