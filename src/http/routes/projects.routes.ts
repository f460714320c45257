import { z } from 'zod';
import type { DeployRequestsService, ProjectsService } from '../../features/deploy/index.js';
import {
  portField,
  projectJobSchema,
  projectSchema,
  subdomainField,
  swarmServiceFields,
  targetFields,
} from '../../features/deploy/index.js';
import { contextOf } from '../plugins/auth.js';
import { idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Projects: list, get, quick service, deploy a host folder, redeploy, teardown. */
export function projectRoutes(
  app: HttpApp,
  deps: {
    projects: ProjectsService;
    requests: DeployRequestsService;
  },
): void {
  app.get(
    '/api/v1/projects',
    {
      schema: {
        tags: ['projects'],
        response: withErrors({ 200: z.object({ items: z.array(projectSchema) }) }),
      },
    },
    async () => ({ items: await deps.projects.list() }),
  );

  app.get(
    '/api/v1/projects/:id',
    { schema: { tags: ['projects'], params: idParams, response: withErrors({ 200: projectSchema }) } },
    async (request) => deps.projects.get(request.params.id),
  );

  app.post(
    '/api/v1/projects/quick-service',
    {
      schema: {
        tags: ['projects'],
        body: z
          .object({
            image: z.string().min(1).max(512),
            subdomain: subdomainField,
            containerPort: portField.default(80),
            name: z.string().min(1).max(128).optional(),
            env: z.record(z.string(), z.string()).optional(),
            ...targetFields,
            ...swarmServiceFields,
          })
          .strict(),
        response: withErrors({ 202: projectJobSchema }),
      },
    },
    async (request, reply) =>
      reply.status(202).send(await deps.requests.quickService(contextOf(request), request.body)),
  );

  app.post(
    '/api/v1/projects/from-template',
    {
      schema: {
        tags: ['projects'],
        body: z
          .object({
            template: z.string().min(3).max(140),
            name: z.string().min(1).max(100),
            owner: z.string().min(1).max(39).optional(),
            visibility: z.enum(['private', 'public']).default('private'),
            includeAllBranches: z.boolean().default(false),
            subdomain: subdomainField,
            ...targetFields,
          })
          .strict(),
        response: withErrors({ 202: projectJobSchema }),
      },
    },
    async (request, reply) =>
      reply.status(202).send(await deps.requests.fromTemplate(contextOf(request), request.body)),
  );

  app.post(
    '/api/v1/projects/deploy-existing',
    {
      schema: {
        tags: ['projects'],
        body: z.union([
          z
            .object({
              path: z.string().min(1).max(1024),
              subdomain: subdomainField,
              name: z.string().min(1).max(100).optional(),
              ...targetFields,
            })
            .strict(),
          z
            .object({
              repo: z.string().min(3).max(140),
              subdomain: subdomainField,
              name: z.string().min(1).max(100).optional(),
              ...targetFields,
            })
            .strict(),
        ]),
        response: withErrors({ 202: projectJobSchema }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      if ('path' in body)
        return reply.status(202).send(await deps.requests.deployPath(contextOf(request), body));
      return reply.status(202).send(await deps.requests.deployRepo(contextOf(request), body));
    },
  );

  app.post(
    '/api/v1/projects/:id/redeploy',
    { schema: { tags: ['projects'], params: idParams, response: withErrors({ 202: projectJobSchema }) } },
    async (request, reply) =>
      reply.status(202).send(await deps.projects.redeploy(contextOf(request), request.params.id)),
  );

  app.delete(
    '/api/v1/projects/:id',
    {
      schema: {
        tags: ['projects'],
        params: idParams,
        querystring: z.object({ removeVolumes: z.enum(['true', 'false']).default('false') }).strict(),
        response: withErrors({ 202: projectJobSchema }),
      },
    },
    async (request, reply) =>
      reply.status(202).send(
        await deps.projects.remove(contextOf(request), request.params.id, {
          removeVolumes: request.query.removeVolumes === 'true',
        }),
      ),
  );
}
