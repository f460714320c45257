import { z } from 'zod';
import type { HostReposService } from '../../features/deploy/index.js';
import { nameParams, repoSchema } from '../../features/deploy/index.js';
import { jobSchema } from '../../features/jobs/index.js';
import { contextOf } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Compose projects under the repos root, and stop/restart jobs for them. */
export function hostRepoRoutes(app: HttpApp, deps: { hostRepos: HostReposService }): void {
  app.get(
    '/api/v1/host/repos',
    { schema: { tags: ['host'], response: withErrors({ 200: z.object({ items: z.array(repoSchema) }) }) } },
    async () => ({ items: await deps.hostRepos.list() }),
  );
  for (const action of ['stop', 'restart'] as const) {
    app.post(
      `/api/v1/host/repos/:name/${action}`,
      {
        schema: {
          tags: ['host'],
          params: nameParams,
          response: withErrors({ 202: z.object({ job: jobSchema }) }),
        },
      },
      async (request, reply) =>
        reply.status(202).send(await deps.hostRepos.enqueue(contextOf(request), request.params.name, action)),
    );
  }
}
