import { z } from 'zod';

// Epoch milliseconds or an ISO-8601 time.
const instant = z.union([
  z.coerce.number().int().min(0).max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** `GET /api/v1/metrics` query. */
export const metricsQuerySchema = z
  .object({
    scope: z.enum(['host', 'project', 'container']),
    id: z
      .string()
      .regex(/^([0-9a-f]{12,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|host)$/, {
        message: 'expected a project id, a container id (12-64 hex characters) or host',
      })
      .optional(),
    from: instant.optional(),
    to: instant.optional(),
    /** Seconds per point. */
    step: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 86400)
      .optional(),
    /** Only these series (comma-separated names, e.g. `cpu,memory`); default all. */
    series: z
      .string()
      .regex(/^[A-Za-z0-9]+(,[A-Za-z0-9]+)*$/, 'expected series names separated by commas')
      .transform((s) => s.split(','))
      .optional(),
  })
  .strict();

const seriesSchema = z.object({
  name: z.string(),
  unit: z.string(),
  container: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  points: z.array(z.tuple([z.number(), z.number()])),
});

/** `GET /api/v1/metrics` answer. */
export const metricsResponseSchema = z.object({
  series: z.array(seriesSchema),
  from: z.number(),
  to: z.number(),
  step: z.number(),
});

const threshold = z
  .object({
    percent: z.number().min(1).max(6400),
    minutes: z.number().int().min(1).max(1440),
  })
  .strict();

/** `GET/PUT /api/v1/projects/:id/thresholds`. */
export const thresholdsSchema = z
  .object({ cpu: threshold.nullable(), memory: threshold.nullable() })
  .strict();
