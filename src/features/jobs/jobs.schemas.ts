import { z } from 'zod';

export const jobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled', 'interrupted']);

/** API.md's Job (other routes that answer `{job}` reuse it). */
export const jobSchema = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  status: jobStatus,
  projectId: z.string().nullable(),
  input: z.unknown(),
  result: z.unknown(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  actor: z.string().nullable(),
  cancelRequested: z.boolean(),
});

export const lineSchema = z.object({
  seq: z.number().int(),
  ts: z.string(),
  stream: z.enum(['stdout', 'stderr', 'system']),
  text: z.string(),
});

export const seqField = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(jobSchema, { id: 'Job' });
z.globalRegistry.add(lineSchema, { id: 'JobLogLine' });
