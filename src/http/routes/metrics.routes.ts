import type { MetricsQueryService, ThresholdsService } from '../../features/metrics/index.js';
import { metricsQuerySchema, metricsResponseSchema, thresholdsSchema } from '../../features/metrics/index.js';
import { contextOf } from '../plugins/auth.js';
import { idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Metrics history (`GET /api/v1/metrics`) and per-project thresholds. */
export function metricsRoutes(
  app: HttpApp,
  deps: { query: MetricsQueryService; thresholds: ThresholdsService },
): void {
  app.get(
    '/api/v1/metrics',
    {
      schema: {
        tags: ['metrics'],
        description:
          'Series of the host, a project (one set per container name) or a container between `from` and `to` (epoch ms or ISO), one point per `step` seconds.',
        querystring: metricsQuerySchema,
        response: withErrors({ 200: metricsResponseSchema }),
      },
    },
    async (request) => deps.query.series(request.query),
  );

  app.get(
    '/api/v1/projects/:id/thresholds',
    {
      schema: { tags: ['metrics'], params: idParams, response: withErrors({ 200: thresholdsSchema }) },
    },
    async (request) => deps.thresholds.get(request.params.id),
  );

  app.put(
    '/api/v1/projects/:id/thresholds',
    {
      schema: {
        tags: ['metrics'],
        params: idParams,
        body: thresholdsSchema,
        response: withErrors({ 200: thresholdsSchema }),
      },
    },
    async (request) => deps.thresholds.put(contextOf(request), request.params.id, request.body),
  );
}
