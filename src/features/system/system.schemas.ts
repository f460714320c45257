import { z } from 'zod';

export const dockerStatsSchema = z.object({
  containers: z.object({ total: z.number(), running: z.number(), stopped: z.number() }),
  images: z.object({ count: z.number(), size: z.number() }),
  volumes: z.object({ count: z.number(), size: z.number() }),
  buildCache: z.object({ size: z.number() }),
  totalSize: z.number(),
  reclaimable: z.number(),
  measuredAt: z.string(),
});

export const hostSchema = z.object({
  cpus: z.number(),
  memoryTotal: z.number(),
  memoryAvailable: z.number(),
  load: z.tuple([z.number(), z.number(), z.number()]),
  disk: z.object({ path: z.string(), total: z.number(), free: z.number() }),
});

export const dockerHealthSchema = z.union([
  z.object({
    status: z.literal('ok'),
    engineVersion: z.string(),
    apiVersion: z.string(),
    latencyMs: z.number(),
  }),
  z.object({ status: z.literal('down'), message: z.string() }),
]);
