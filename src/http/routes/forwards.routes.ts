import { z } from 'zod';
import type { ForwardsService } from '../../features/deploy/index.js';
import { projectSchema } from '../../features/deploy/index.js';
import { jobSchema } from '../../features/jobs/index.js';
import { contextOf } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** `POST /api/v1/forwards`: publish a service already listening on a host port. */
export function forwardsRoutes(app: HttpApp, deps: { forwards: ForwardsService }): void {
  app.post(
    '/api/v1/forwards',
    {
      schema: {
        tags: ['projects'],
        body: z
          .object({
            port: z.number().int().min(1).max(65535),
            subdomain: z.string().min(1).max(63),
            name: z.string().min(1).max(100).optional(),
          })
          .strict(),
        response: withErrors({ 202: z.object({ project: projectSchema, job: jobSchema }) }),
      },
    },
    async (request, reply) =>
      reply.code(202).send(await deps.forwards.create(contextOf(request), request.body)),
  );
}
