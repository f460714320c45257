import type { ProjectRow } from '../../db/schema.js';
import type { PolicyException } from '../../domain/compose-policy.js';
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
import { type ProjectAction, projectJobTitle } from './job-titles.js';
import { assertEditable, type ProjectEditRequest } from './project-edit.js';
import { type Project, type ProjectSpec, toProject } from './projects.view.js';

/** The part of the jobs service projects need. */
export interface JobQueue {
  enqueue(
    ctx: RequestContext,
    type: string,
    input: unknown,
    opts: { projectId: string | null; title?: string },
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

  /**
   * The hostname for a subdomain, refusing (409, no job) one that another live project holds — published
   * or not — with that project named in the error's details; `selfId` may keep its own.
   */
  async function claimableHostname(
    subdomainInput: string,
    selfId: string | null = null,
  ): Promise<{ subdomain: string; hostname: string }> {
    const subdomain = parseSubdomain(subdomainInput);
    const { baseDomain } = await deps.settings.get();
    if (!baseDomain) throw preconditionFailed('set the base domain in settings before publishing a project');
    const hostname = hostnameFor(subdomain, baseDomain);
    const used = await deps.projects.findActiveBySubdomain(subdomain);
    if (used && used.id !== selfId) throw heldConflict(hostname, used, false);
    const routed = await deps.routes.byHostname(hostname);
    if (routed?.project_id && routed.project_id !== selfId) {
      const holder = await deps.projects.findById(routed.project_id);
      if (holder && holder.status !== 'removed') throw heldConflict(hostname, holder, true);
    }
    await deps.tunnel.assertNotHandWritten({ projectId: selfId, subdomain, service: 'http://localhost' });
    return { subdomain, hostname };
  }

  const sealSpec = (spec: ProjectSpec): string =>
    JSON.stringify(
      spec.env
        ? { ...spec, env: deps.box.encrypt(JSON.stringify(spec.env)), envNames: Object.keys(spec.env) }
        : spec,
    );

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
          {
            projectId: id,
            title: projectJobTitle('deploy', {
              name: input.name,
              hostname,
              kind: input.kind,
              host_port: input.hostPort ?? null,
            }),
          },
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

    /** Grant (or take back) policy exceptions for one project; applies at its next deploy; audited. */
    async setPolicy(ctx: RequestContext, id: string, allow: readonly PolicyException[]): Promise<Project> {
      const row = await load(id);
      const spec = JSON.parse(row.spec) as ProjectSpec;
      const before = spec.policy?.allow ?? [];
      spec.policy = { allow: [...new Set(allow)].sort() };
      await deps.projects.update(id, {
        spec: JSON.stringify(spec),
        updated_at: deps.clock.now().toISOString(),
      });
      await deps.audit.record(ctx, 'project.policy', {
        target: row.name,
        projectId: id,
        details: { allow: spec.policy.allow, before },
      });
      return toProject(await load(id));
    },

    /**
     * Change what the next deploy uses (validated like the create requests; nothing changes on a 400/409).
     * A new subdomain is held at once; the route moves at the next deploy.
     */
    async edit(
      ctx: RequestContext,
      id: string,
      body: ProjectEditRequest,
      placement?: { target: 'host' | 'swarm'; replicas: number | null; swarmService: string | null },
    ): Promise<Project> {
      const row = await load(id);
      assertEditable(row, body);
      if (row.status === 'deploying') {
        throw conflict(`${row.name} is being deployed right now; change it when that deploy has finished`);
      }
      const patch: Partial<ProjectRow> = {};
      if (body.subdomain !== undefined && body.subdomain !== row.subdomain) {
        const { subdomain, hostname } = await claimableHostname(body.subdomain, row.id);
        Object.assign(patch, { subdomain, hostname });
      }
      if (body.image !== undefined) patch.image = body.image;
      if (body.name !== undefined) patch.name = body.name;
      if (body.port !== undefined) patch.host_port = body.port;
      const spec = this.openSpec(row);
      const next: ProjectSpec = { ...spec };
      if (body.containerPort !== undefined) next.containerPort = body.containerPort;
      if (body.env !== undefined) next.env = body.env;
      if (body.name !== undefined && row.kind === 'quick') next.requestedName = body.name;
      if (body.service !== undefined) next.service = body.service;
      // Push to deploy reads the tracked branch and auto-deploy from the project's own columns.
      if (body.branch !== undefined) patch.branch = body.branch;
      if (body.autoDeploy !== undefined) patch.auto_deploy = body.autoDeploy ? 1 : 0;
      if (placement && placement.target === row.target) {
        // Back where it runs: a pending move is called off; replicas on Swarm apply at the next deploy.
        if (next.move && row.kind === 'quick' && row.target === 'host') delete next.swarmService;
        delete next.move;
        if (row.target === 'swarm') patch.replicas = placement.replicas;
      } else if (placement) {
        next.move = { target: placement.target, replicas: placement.replicas };
        if (placement.swarmService) next.swarmService = placement.swarmService;
      }
      const changed = Object.keys(body).filter((k) => (body as Record<string, unknown>)[k] !== undefined);
      return deps.transaction(async () => {
        await deps.projects.update(id, {
          ...patch,
          spec: sealSpec(next),
          updated_at: deps.clock.now().toISOString(),
        });
        await deps.audit.record(ctx, 'project.update', {
          target: patch.name ?? row.name,
          projectId: id,
          details: { fields: changed },
        });
        return toProject(await load(id));
      });
    },

    /** Queue a redeploy of the project (the same port, the new image or commit); also retries a failed one. */
    redeploy(ctx: RequestContext, id: string) {
      return this.enqueueFor(ctx, id, 'redeploy', { type: 'redeploy', input: {} });
    },

    /** Queue `project_<action>`: stop, start or restart the project's containers (compose or engine). */
    async lifecycle(ctx: RequestContext, id: string, action: 'stop' | 'start' | 'restart') {
      const row = await load(id);
      if (row.kind === 'forward') {
        throw conflict(`${row.name} is a forward: it runs no containers the panel could ${action}`);
      }
      if (row.target === 'swarm') {
        throw conflict(
          `${row.name} runs on Swarm, which keeps its replicas running: redeploy it to replace its tasks, drain a node to move them, or delete it`,
        );
      }
      if (row.status === 'pending' || row.status === 'failed') {
        throw conflict(`${row.name} has not been deployed yet; deploy it first`);
      }
      return this.enqueueFor(ctx, id, action, { type: `project_${action}`, input: {} });
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
      action: ProjectAction,
      job: { type: string; input: Record<string, unknown> },
    ): Promise<{ project: Project; job: Job }> {
      const row = await load(id);
      return deps.transaction(async () => {
        const queued = await deps.jobs.enqueue(
          ctx,
          job.type,
          { ...job.input, projectId: id },
          { projectId: id, title: projectJobTitle(action, row) },
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

/** 409 naming the project that holds a hostname (and linking it through `details[].projectId`). */
const heldConflict = (hostname: string, holder: Pick<ProjectRow, 'id' | 'name'>, published: boolean) =>
  conflict(
    `${hostname} is held by project ${holder.name}${published ? ', which publishes it' : ''}; pick another subdomain or change that project`,
    [{ path: 'subdomain', message: `held by project ${holder.name}`, projectId: holder.id }],
  );

export type ProjectsService = ReturnType<typeof createProjectsService>;
