import { z } from 'zod';

export const containerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'removing']),
  status: z.string(),
  createdAt: z.string(),
  ports: z.array(
    z.object({
      hostIp: z.string().nullable(),
      hostPort: z.number().nullable(),
      containerPort: z.number(),
      protocol: z.string(),
    }),
  ),
  projectId: z.string().nullable(),
  composeProject: z.string().nullable(),
  managed: z.boolean(),
});

export const volumeSchema = z.object({
  name: z.string(),
  driver: z.string(),
  createdAt: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
});

export const imageSchema = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  size: z.number(),
  createdAt: z.string(),
});

export const logLineSchema = z.object({
  ts: z.string().nullable(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});

/** A container id or name; the service answers 400 for anything that is neither. */
export const refParams = z.object({ id: z.string().min(1).max(255) }).strict();

export const projectIdField = z.string().min(1).max(100);

export const booleanFlag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');
