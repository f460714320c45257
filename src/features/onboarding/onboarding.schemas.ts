import { z } from 'zod';

export const stateSchema = z.object({
  completed: z.boolean(),
  completedAt: z.string().nullable(),
  steps: z.record(z.string(), z.boolean()),
});

export const stepName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'expected a step name');
