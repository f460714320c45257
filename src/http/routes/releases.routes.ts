import { projectJobSchema } from '../../features/deploy/index.js';
import { type ReleasesService, releaseListSchema, releaseParams } from '../../features/releases/index.js';
import { contextOf } from '../plugins/auth.js';
import { idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Releases of a project and the rollback to one of them. */
export function releasesRoutes(app: HttpApp, deps: { releases: ReleasesService }): void {
  app.get(
    '/api/v1/projects/:id/releases',
    {
      config: { auth: 'user' },
      schema: { tags: ['releases'], params: idParams, response: withErrors({ 200: releaseListSchema }) },
    },
    async (request) => deps.releases.list(request.params.id),
  );

  // Like a redeploy: any signed-in user may run what already ran for the project.
  app.post(
    '/api/v1/projects/:id/releases/:rid/rollback',
    {
      config: { auth: 'user' },
      schema: { tags: ['releases'], params: releaseParams, response: withErrors({ 202: projectJobSchema }) },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await deps.releases.rollback(contextOf(request), request.params.id, request.params.rid)),
  );
}
