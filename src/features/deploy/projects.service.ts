import type { ProjectRow } from '../../db/schema.js';
import { conflict, notFound, preconditionFailed } from '../../domain/errors.js';
import { hostnameFor, parseSubdomain } from '../../domain/subdomain.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { RoutesRepository } from '../../repositories/routes.repository.js';
import type { AuditService } from '../audit/index.js';
import type { Job } from '../jobs/index.js';
import { type Project, type ProjectSpec, toProject } from './projects.view.js';

/** The part of the jobs service projects need. */
export interface JobQueue {
  enqueue(
    ctx: RequestContext,
    type: string,
    input: unknown,
    opts: { projectId: string | null },
  ): Promise<Job>;
}

/** What a new project row holds besides the common fields. */
export interface NewProjectInput {
  name: string;
  kind: ProjectRow['kind'];
  subdomain: string;
  image?: string | null;
  path?: string | null;
  repo?: { owner: string; name: string; url: string | null } | null;
  composeProject?: string | null;
  hostPort?: number | null;
  spec?: ProjectSpec;
  target?: 'host' | 'swarm';
  replicas?: number | null;
}

/** Projects: the list, and the common part of every create/redeploy/delete (checks, row, job, audit). */
export function createProjectsService(deps: {
  projects: ProjectsRepository;
  routes: RoutesRepository;
  jobs: JobQueue;
  audit: AuditService;
  settings: { get(): Promise<{ baseDomain: string | null }> };
  box: SecretBox;
  clock: Clock;
  /** The repositories' transaction: a project, its job and their audit entries stand or fall together. */
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Refuses a subdomain a hand-written rule of the tunnel config already routes. */
  tunnel: {
    assertNotHandWritten(input: {
      projectId: string | null;
      subdomain: string;
      service: string;
    }): Promise<unknown>;
  };
}) {
  async function load(id: string): Promise<ProjectRow> {
    const row = await deps.projects.findById(id);
    if (!row || row.status === 'removed') throw notFound('project');
    return row;
  }

  /** The hostname for a subdomain, refusing one already routed or used by a live project (409, no job). */
  async function claimableHostname(subdomainInput: string): Promise<{ subdomain: string; hostname: string }> {
    const subdomain = parseSubdomain(subdomainInput);
    const { baseDomain } = await deps.settings.get();
    if (!baseDomain) throw preconditionFailed('set the base domain in settings before publishing a project');
    const hostname = hostnameFor(subdomain, baseDomain);
    const routed = await deps.routes.byHostname(hostname);
    const used = await deps.projects.findActiveBySubdomain(subdomain);
    if ((routed && routed.project_id !== null) || used) {
      throw routedConflict(hostname);
    }
    await deps.tunnel.assertNotHandWritten({ projectId: null, subdomain, service: 'http://localhost' });
    return { subdomain, hostname };
  }

  const sealSpec = (spec: ProjectSpec): string =>
    JSON.stringify(spec.env ? { ...spec, env: deps.box.encrypt(JSON.stringify(spec.env)) } : spec);

  return {
    claimableHostname,

    async list(): Promise<Project[]> {
      return (await deps.projects.listActive()).map(toProject);
    },

    async get(id: string): Promise<Project> {
      return toProject(await load(id));
    },

    load,

    /** The project's spec with its env decrypted (for job handlers). */
    openSpec(row: ProjectRow): ProjectSpec {
      const stored = JSON.parse(row.spec) as ProjectSpec & { env?: unknown };
      const env =
        typeof stored.env === 'string'
          ? (JSON.parse(deps.box.decrypt(stored.env)) as Record<string, string>)
          : undefined;
      return { ...stored, ...(env ? { env } : {}) };
    },

    /** Insert the project (status pending) and queue its job; audited as `project.<action>`. */
    async create(
      ctx: RequestContext,
      input: NewProjectInput,
      job: { type: string; input: Record<string, unknown> },
    ): Promise<{ project: Project; job: Job }> {
      const { hostname } = await claimableHostname(input.subdomain);
      const now = deps.clock.now().toISOString();
      const id = newId();
      return deps.transaction(async () => {
        await deps.projects.insert({
          id,
          name: input.name,
          kind: input.kind,
          subdomain: input.subdomain,
          hostname,
          host_port: input.hostPort ?? null,
          status: 'pending',
          repo_owner: input.repo?.owner ?? null,
          repo_name: input.repo?.name ?? null,
          repo_url: input.repo?.url ?? null,
          image: input.image ?? null,
          path: input.path ?? null,
          compose_project: input.composeProject ?? null,
          container_names: '[]',
          spec: sealSpec(input.spec ?? {}),
          created_by: ctx.actor?.login ?? null,
          created_at: now,
          updated_at: now,
          last_job_id: null,
          target: input.target ?? 'host',
          replicas: input.replicas ?? null,
        });
        const queued = await deps.jobs.enqueue(
          ctx,
          job.type,
          { ...job.input, projectId: id },
          { projectId: id },
        );
        await deps.projects.update(id, { last_job_id: queued.id });
        await deps.audit.record(ctx, 'project.create', {
          target: input.name,
          projectId: id,
          details: { kind: input.kind, hostname, jobId: queued.id },
        });
        return { project: toProject(await load(id)), job: queued };
      });
    },

    /** Queue a redeploy of the project (the same port, the new image or commit). */
    redeploy(ctx: RequestContext, id: string) {
      return this.enqueueFor(ctx, id, 'redeploy', { type: 'redeploy', input: {} });
    },

    /** Queue the teardown: containers (compose down), route, port; volumes only when asked. */
    remove(ctx: RequestContext, id: string, opts: { removeVolumes: boolean }) {
      return this.enqueueFor(ctx, id, 'delete', {
        type: 'teardown',
        input: { removeVolumes: opts.removeVolumes },
      });
    },

    /** Queue a job for an existing project; audited as `project.<action>`. */
    async enqueueFor(
      ctx: RequestContext,
      id: string,
      action: string,
      job: { type: string; input: Record<string, unknown> },
    ): Promise<{ project: Project; job: Job }> {
      const row = await load(id);
      return deps.transaction(async () => {
        const queued = await deps.jobs.enqueue(
          ctx,
          job.type,
          { ...job.input, projectId: id },
          { projectId: id },
        );
        await deps.projects.update(id, {
          last_job_id: queued.id,
          updated_at: deps.clock.now().toISOString(),
        });
        await deps.audit.record(ctx, `project.${action}`, {
          target: row.name,
          projectId: id,
          details: { jobId: queued.id },
        });
        return { project: toProject(await load(id)), job: queued };
      });
    },
  };
}

const routedConflict = (hostname: string) =>
  conflict(`${hostname} is already routed; pick another subdomain or remove the project that uses it`);

export type ProjectsService = ReturnType<typeof createProjectsService>;
