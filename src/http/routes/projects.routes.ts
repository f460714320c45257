import { z } from 'zod';
import { POLICY_EXCEPTION_TEXT, POLICY_EXCEPTIONS } from '../../domain/compose-policy.js';
import type {
  DeployRequestsService,
  ProjectPlansService,
  ProjectsService,
} from '../../features/deploy/index.js';
import {
  planResponseSchema,
  portField,
  projectEditBody,
  projectJobSchema,
  projectSchema,
  subdomainField,
  swarmServiceFields,
  targetFields,
} from '../../features/deploy/index.js';
import { contextOf } from '../plugins/auth.js';
import { idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** `dryRun: true` answers 200 with the plan instead of 202 with a project and its job. */
const dryRunField = z.boolean().optional();

/** 200 for a plan, 202 for an accepted create. */
const planOr202 = (result: object) => ('plan' in result ? 200 : 202);

/** Projects: list, get, plan, quick service, deploy a host folder or repo, redeploy, teardown. */
export function projectRoutes(
  app: HttpApp,
  deps: {
    projects: ProjectsService;
    requests: DeployRequestsService;
    plans: ProjectPlansService;
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
            dryRun: dryRunField,
            ...targetFields,
          })
          .strict(),
        response: withErrors({ 200: planResponseSchema, 202: projectJobSchema }),
      },
    },
    async (request, reply) => {
      const result = await deps.requests.fromTemplate(contextOf(request), request.body);
      return reply.status(planOr202(result)).send(result);
    },
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
              dryRun: dryRunField,
              ...targetFields,
            })
            .strict(),
          z
            .object({
              repo: z.string().min(3).max(140),
              subdomain: subdomainField,
              name: z.string().min(1).max(100).optional(),
              dryRun: dryRunField,
              ...targetFields,
            })
            .strict(),
        ]),
        response: withErrors({ 200: planResponseSchema, 202: projectJobSchema }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result =
        'path' in body
          ? await deps.requests.deployPath(contextOf(request), body)
          : await deps.requests.deployRepo(contextOf(request), body);
      return reply.status(planOr202(result)).send(result);
    },
  );

  app.get(
    '/api/v1/projects/:id/plan',
    {
      schema: { tags: ['projects'], params: idParams, response: withErrors({ 200: planResponseSchema }) },
    },
    async (request) => deps.plans.get(request.params.id),
  );

  app.post(
    '/api/v1/projects/:id/redeploy',
    { schema: { tags: ['projects'], params: idParams, response: withErrors({ 202: projectJobSchema }) } },
    async (request, reply) =>
      reply.status(202).send(await deps.projects.redeploy(contextOf(request), request.params.id)),
  );

  app.patch(
    '/api/v1/projects/:id',
    {
      schema: {
        tags: ['projects'],
        summary: 'Change what the next deploy uses',
        description:
          'The fields of the request that created the project; they apply at the next deploy (redeploy works from failed too). A new subdomain is held at once.',
        params: idParams,
        body: projectEditBody,
        response: withErrors({ 200: projectSchema }),
      },
    },
    async (request) => deps.requests.edit(contextOf(request), request.params.id, request.body),
  );

  for (const action of ['stop', 'start', 'restart'] as const) {
    app.post(
      `/api/v1/projects/:id/${action}`,
      {
        schema: {
          tags: ['projects'],
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} the project's containers`,
          params: idParams,
          response: withErrors({ 202: projectJobSchema }),
        },
      },
      async (request, reply) =>
        reply.status(202).send(await deps.projects.lifecycle(contextOf(request), request.params.id, action)),
    );
  }

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

  app.get(
    '/api/v1/projects/:id/policy',
    {
      schema: {
        tags: ['projects'],
        summary: 'What the project may do beyond the policy, and every exception there is',
        params: idParams,
        response: withErrors({
          200: z.object({
            allow: z.array(z.string()),
            exceptions: z.array(z.object({ name: z.string(), description: z.string() })),
          }),
        }),
      },
    },
    async (request) => {
      const project = await deps.projects.get(request.params.id);
      return {
        allow: project.policyExceptions,
        exceptions: POLICY_EXCEPTIONS.map((name) => ({ name, description: POLICY_EXCEPTION_TEXT[name] })),
      };
    },
  );

  app.put(
    '/api/v1/projects/:id/policy',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['projects'],
        summary: 'Grant a project exceptions to the policy (admin; audited; applies at its next deploy)',
        params: idParams,
        body: z.object({ allow: z.array(z.enum(POLICY_EXCEPTIONS)).max(POLICY_EXCEPTIONS.length) }).strict(),
        response: withErrors({ 200: projectSchema }),
      },
    },
    async (request) => deps.projects.setPolicy(contextOf(request), request.params.id, request.body.allow),
  );
}
