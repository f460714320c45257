import { z } from 'zod';

export const containerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string().describe('the image the container runs, by content digest (sha256:…)'),
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

/** One line of the live multi-container log stream (`event: log` data of `/api/v1/containers/logs/stream`). */
export const liveLogLineSchema = logLineSchema.extend({ containerId: z.string(), containerName: z.string() });

/** `GET /api/v1/containers/:id/stats`: usage right now (nulls when not running or not yet measurable). */
export const containerStatsSchema = z.object({
  id: z.string(),
  running: z.boolean(),
  cpuPercent: z.number().nullable().describe('percent of one CPU (200 = two CPUs busy)'),
  memoryBytes: z
    .number()
    .nullable()
    .describe('memory in use, page cache excluded (as docker stats shows it)'),
  memoryLimitBytes: z.number().nullable(),
  at: z.string(),
});

/** A container id or name; the service answers 400 for anything that is neither. */
export const refParams = z.object({ id: z.string().min(1).max(255) }).strict();

export const projectIdField = z.string().min(1).max(100);

export const booleanFlag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(containerSchema, { id: 'Container' });
z.globalRegistry.add(volumeSchema, { id: 'Volume' });
z.globalRegistry.add(imageSchema, { id: 'Image' });
z.globalRegistry.add(containerStatsSchema, { id: 'ContainerStats' });
z.globalRegistry.add(logLineSchema, { id: 'ContainerLogTailLine' });
z.globalRegistry.add(liveLogLineSchema, { id: 'ContainerLogLine' });
