import { z } from 'zod';
import type { DeployRequestsService } from '../../features/deploy/deploy-requests.service.js';
import type { ProjectsService } from '../../features/deploy/projects.service.js';
import { contextOf } from '../plugins/auth.js';
import { idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { jobSchema } from './jobs.routes.js';

/** API.md's Project. */
export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['template', 'existing', 'quick', 'forward']),
  subdomain: z.string(),
  hostname: z.string().nullable(),
  url: z.string().nullable(),
  hostPort: z.number().nullable(),
  status: z.enum(['pending', 'deploying', 'running', 'stopped', 'failed', 'removed']),
  repo: z.object({ owner: z.string(), name: z.string(), url: z.string().nullable() }).nullable(),
  image: z.string().nullable(),
  path: z.string().nullable(),
  containerNames: z.array(z.string()),
  composeProject: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastJobId: z.string().nullable(),
});

/** `202 {project, job}` */
export const projectJobSchema = z.object({ project: projectSchema, job: jobSchema });

const subdomain = z.string().min(1).max(63);
const port = z.number().int().min(1).max(65535);

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
            subdomain,
            containerPort: port.default(80),
            name: z.string().min(1).max(128).optional(),
            env: z.record(z.string(), z.string()).optional(),
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
            subdomain,
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
              subdomain,
              name: z.string().min(1).max(100).optional(),
            })
            .strict(),
          z
            .object({
              repo: z.string().min(3).max(140),
              subdomain,
              name: z.string().min(1).max(100).optional(),
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
      reply.status(202).send(
        await deps.projects.enqueueFor(contextOf(request), request.params.id, 'redeploy', {
          type: 'redeploy',
          input: {},
        }),
      ),
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
        await deps.projects.enqueueFor(contextOf(request), request.params.id, 'delete', {
          type: 'teardown',
          input: { removeVolumes: request.query.removeVolumes === 'true' },
        }),
      ),
  );
}
