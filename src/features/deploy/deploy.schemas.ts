import { z } from 'zod';
import { jobSchema } from '../jobs/index.js';

export const repoSchema = z.object({
  name: z.string(),
  path: z.string(),
  composeProject: z.string(),
  status: z.enum(['running', 'partial', 'stopped', 'not-deployed']),
  services: z.array(z.string()),
  projectId: z.string().nullable(),
});

export const nameParams = z
  .object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'expected a folder name') })
  .strict();

/** One service's image: reference, repository digest (null when built here) and local image id. */
export const projectImageSchema = z.object({
  service: z.string(),
  image: z.string(),
  digest: z.string().nullable(),
  imageId: z.string().nullable(),
});

/** API.md's Project. */
export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['template', 'existing', 'quick', 'forward']),
  subdomain: z.string(),
  hostname: z.string().nullable(),
  url: z.string().nullable(),
  hostPort: z.number().nullable(),
  status: z
    .enum(['pending', 'deploying', 'running', 'degraded', 'stopped', 'missing', 'failed', 'removed'])
    .describe(
      'degraded: some containers are down (or a forward nobody answers); missing: its containers are gone',
    ),
  statusReason: z.string().nullable().describe('why the status is what it is, in words'),
  repo: z.object({ owner: z.string(), name: z.string(), url: z.string().nullable() }).nullable(),
  image: z.string().nullable(),
  path: z.string().nullable(),
  containerNames: z.array(z.string()),
  composeProject: z.string().nullable(),
  images: z.array(projectImageSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastJobId: z.string().nullable(),
  policyExceptions: z.array(z.string()),
  settings: z
    .object({
      containerPort: z.number().nullable(),
      envNames: z.array(z.string()),
      service: z.string().nullable(),
      branch: z.string().nullable(),
      autoDeploy: z.boolean(),
      target: z
        .enum(['host', 'swarm'])
        .describe('where the next deploy runs it (differs from `target` while a move waits for a redeploy)'),
      replicas: z.number().nullable().describe('replicas the next deploy runs (swarm; null on the host)'),
    })
    .describe('what PATCH /api/v1/projects/:id can change, as it stands (env values stay hidden)'),
  target: z.enum(['host', 'swarm']),
  replicas: z.number().nullable(),
});

/** `202 {project, job}` */
export const projectJobSchema = z.object({ project: projectSchema, job: jobSchema });

export const subdomainField = z.string().min(1).max(63);

export const portField = z.number().int().min(1).max(65535);

/** Where a new project runs, and (for Swarm) how: fields every create request accepts. */
export const targetFields = {
  target: z.enum(['host', 'swarm']).default('host'),
  replicas: z.number().int().min(1).max(100).optional(),
};

/** Swarm-only fields of a quick service: placement by node labels and resource limits. */
export const swarmServiceFields = {
  constraints: z.record(z.string().max(128), z.string().max(128)).optional(),
  resources: z
    .object({ cpus: z.number().min(0.01).max(256).optional(), memoryMb: z.number().int().min(6).optional() })
    .strict()
    .optional(),
};

export const templateSchema = z.object({
  fullName: z.string(),
  description: z.string().nullable(),
  private: z.boolean(),
  defaultBranch: z.string(),
});

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(repoSchema, { id: 'HostRepo' });
z.globalRegistry.add(projectImageSchema, { id: 'ProjectImage' });
z.globalRegistry.add(projectSchema, { id: 'Project' });
z.globalRegistry.add(projectJobSchema, { id: 'ProjectJob' });
z.globalRegistry.add(templateSchema, { id: 'Template' });
/** `PATCH /api/v1/projects/:id` body: the create requests' fields (`port` for forwards). */
export const projectEditBody = z
  .object({
    image: z.string().min(1).max(512).optional(),
    containerPort: portField.optional(),
    env: z.record(z.string(), z.string()).optional(),
    subdomain: subdomainField.optional(),
    name: z.string().min(1).max(128).optional(),
    service: z.string().min(1).max(128).optional(),
    branch: z.string().min(1).max(200).optional(),
    autoDeploy: z.boolean().optional(),
    port: portField.optional(),
    target: z
      .enum(['host', 'swarm'])
      .optional()
      .describe('move the project (quick services, compose projects) at its next deploy'),
    replicas: z.number().int().min(1).max(100).optional().describe('swarm only'),
  })
  .strict();
