import { z } from 'zod';

export const entrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(['ok', 'error']),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  projectId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
