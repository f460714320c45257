import { z } from 'zod';
import type { HostReposService } from '../../features/deploy/host-repos.service.js';
import { contextOf } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { jobSchema } from './jobs.routes.js';

const repoSchema = z.object({
  name: z.string(),
  path: z.string(),
  composeProject: z.string(),
  status: z.enum(['running', 'partial', 'stopped', 'not-deployed']),
  services: z.array(z.string()),
  projectId: z.string().nullable(),
});
const nameParams = z
  .object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'expected a folder name') })
  .strict();

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
