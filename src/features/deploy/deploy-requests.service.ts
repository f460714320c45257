import path from 'node:path';
import type { ProjectRow } from '../../db/schema.js';
import { envProblems } from '../../domain/env-vars.js';
import {
  AppError,
  conflict,
  type ErrorDetail,
  preconditionFailed,
  validationError,
} from '../../domain/errors.js';
import {
  inferContainerName,
  isValidContainerName,
  parseImageReference,
} from '../../domain/image-reference.js';
import { assertRegistryAllowed } from '../../domain/registry-host.js';
import { composeProjectName, parseOwnerRepo, parseRepoName } from '../../domain/repo-name.js';
import { parseSubdomain } from '../../domain/subdomain.js';
import { isValidSwarmName } from '../../domain/swarm-names.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { GithubClient } from '../../integrations/github/github-client.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import { createRunner } from '../../lib/process/runner.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import { composeMessageMask, type DryRunDeps, planClone, planFolder } from './compose-dry-run.js';
import { inspectComposeProject } from './compose-plan.js';
import { presentPlan } from './compose-plan.view.js';
import { takenContainerNames } from './container-ops.js';
import {
  assertSwarmCompose,
  createTargets,
  type SwarmRequestChecks,
  type TargetRequest,
} from './deploy-targets.js';
import { assertEditable, editedPlacement, type ProjectEditRequest } from './project-edit.js';
import type { ProjectsService } from './projects.service.js';
import { freeCloneDir } from './repo-sync.js';

/** `POST /api/v1/projects/quick-service` body (after schema parsing). */
export interface QuickServiceRequest extends TargetRequest {
  image: string;
  subdomain: string;
  containerPort: number;
  name?: string | undefined;
  env?: Record<string, string> | undefined;
  /** Swarm: node labels a task's node must carry, and resource limits per task. */
  constraints?: Record<string, string> | undefined;
  resources?: { cpus?: number | undefined; memoryMb?: number | undefined } | undefined;
}

/** `POST /api/v1/projects/deploy-existing` with a host folder. */
export interface DeployPathRequest extends TargetRequest {
  /** Answer the plan (200) instead of creating anything (target "host" only). */
  dryRun?: boolean | undefined;
  path: string;
  subdomain: string;
  name?: string | undefined;
}

/** `POST /api/v1/projects/from-template`. */
export interface FromTemplateRequest extends TargetRequest {
  /** Answer the plan (200) instead of creating anything (target "host" only). */
  dryRun?: boolean | undefined;
  template: string;
  name: string;
  owner?: string | undefined;
  visibility: 'private' | 'public';
  includeAllBranches: boolean;
  subdomain: string;
}

/** `POST /api/v1/projects/deploy-existing` with a GitHub repo. */
export interface DeployRepoRequest extends TargetRequest {
  /** Answer the plan (200) instead of creating anything (target "host" only). */
  dryRun?: boolean | undefined;
  repo: string;
  subdomain: string;
  name?: string | undefined;
}

/** Run every field check and report all problems at once (400 with one detail per field). */
function collect(checks: (() => void)[]): void {
  const details: ErrorDetail[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      details.push(...(error.details ?? [{ path: '', message: error.message }]));
    }
  }
  if (details.length > 0) {
    throw validationError(`Check ${details.map((d) => d.path).join(', ')}: ${details[0]!.message}`, details);
  }
}

/** Validate deploy requests completely, then create the project and queue its job. */
export function createDeployRequestsService(
  deps: Omit<DryRunDeps, 'settings' | 'github'> & {
    projects: ProjectsService;
    projectsRepo: ProjectsRepository;
    docker: DockerClient;
    settings: {
      get(): Promise<{
        reposRoot: string;
        templates: { allowlist: string[] };
        ports: { bindAddress: string };
        allowedRegistries: string[];
      }>;
      secrets(): Promise<string[]>;
    };
    github: {
      app: DryRunDeps['github']['app'] & { configured(): Promise<boolean> };
      client: Pick<GithubClient, 'getRepo'>;
    };
    /** Refuses a port another project owns (forwards). */
    forwardPorts?: { assertFree(port: number, selfId: string | null): Promise<void> };
    /** Swarm deploys; without it, `target: "swarm"` is refused (422). */
    swarm?: SwarmRequestChecks;
  },
) {
  const { targetChecks, placement, swarmName } = createTargets(deps);

  async function requireGithubApp(): Promise<void> {
    if (!(await deps.github.app.configured())) {
      throw preconditionFailed(
        'configure the GitHub App (app id, private key, installation id) in settings first',
      );
    }
  }

  async function cloneDir(name: string): Promise<string> {
    const { reposRoot } = await deps.settings.get();
    const taken = new Set((await deps.projectsRepo.listActive()).map((p) => p.path ?? ''));
    return freeCloneDir(reposRoot, name, taken);
  }

  async function freeComposeName(base: string): Promise<string> {
    for (let n = 1; n < 100; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      if (!(await deps.projectsRepo.findByComposeProject(candidate))) return candidate;
    }
    throw conflict(`no free compose project name for ${base}`);
  }

  /**
   * The target and replicas an edit asks for (undefined when it names neither): moving to Swarm
   * needs a manager (422) and a quick service gets a free Swarm service name, as at create. Whether
   * a compose project can run as a stack is judged on its resolved model by the deploy (as at create).
   */
  async function movePlacement(row: ProjectRow, body: ProjectEditRequest) {
    if (body.target === undefined && body.replicas === undefined) return undefined;
    const next = editedPlacement(row, body);
    if (next.target === 'host' && row.target === 'swarm' && row.kind !== 'quick') {
      // Its stack's networks and volumes carry the names a compose project on this host would use.
      throw conflict(
        `${row.name} runs as a stack on the Swarm: moving a compose project back to this host is not supported; delete it and deploy its folder again with target "host"`,
        [{ path: 'target', message: 'a stack cannot move back to this host' }],
      );
    }
    if (next.target !== 'swarm' || row.target === 'swarm') return { ...next, swarmService: null };
    await placement({ target: 'swarm' });
    const spec = deps.projects.openSpec(row);
    const swarmService =
      row.kind === 'quick'
        ? (spec.move?.target === 'swarm' && spec.swarmService) ||
          (await swarmName(undefined, body.image ?? row.image ?? row.name, row.name))
        : null;
    return { ...next, swarmService };
  }

  return {
    /** `PATCH /api/v1/projects/:id`: validate like the create requests (a container name taken is 409), then store. */
    async edit(ctx: RequestContext, id: string, body: ProjectEditRequest) {
      const row = await deps.projects.load(id);
      assertEditable(row, body);
      if (
        row.kind === 'quick' &&
        body.name !== undefined &&
        body.name !== deps.projects.openSpec(row).requestedName
      ) {
        const own = new Set<string>(JSON.parse(row.container_names) as string[]);
        if (!own.has(body.name) && (await takenContainerNames(deps.docker)).has(body.name)) {
          throw conflict(`a container named ${body.name} already exists`, [
            { path: 'name', message: `a container named ${body.name} already exists` },
          ]);
        }
      }
      if (row.kind === 'forward' && body.port !== undefined)
        await deps.forwardPorts?.assertFree(body.port, row.id);
      if (body.service !== undefined && row.path) {
        // Like deploy-existing: a service the compose file cannot publish is refused now, not in a job.
        const { reposRoot } = await deps.settings.get();
        const resolved = await resolveProjectDir(reposRoot, row.path).catch(() => null);
        if (resolved && row.compose_project) {
          await inspectComposeProject({
            compose: await deps.compose(),
            run: createRunner(),
            dir: resolved.dir,
            project: row.compose_project,
            mask: await composeMessageMask(deps.settings, resolved.dir),
            allowed: deps.projects.openSpec(row).policy?.allow ?? [],
            service: body.service,
          });
        }
      }
      return deps.projects.edit(ctx, id, body, await movePlacement(row, body));
    },

    async quickService(ctx: RequestContext, body: QuickServiceRequest) {
      collect([
        () => parseImageReference(body.image),
        () => parseSubdomain(body.subdomain),
        () => {
          const problems = envProblems(body.env ?? {});
          if (problems.length > 0) throw validationError('invalid env', problems);
        },
        () => {
          if (body.target === 'swarm' && body.name !== undefined && !isValidSwarmName(body.name)) {
            throw validationError('invalid name', [
              {
                path: 'name',
                message: 'a Swarm service name: letters, digits, "_" and "-", at most 63 characters',
              },
            ]);
          }
          if (body.target !== 'swarm' && body.name !== undefined && !isValidContainerName(body.name)) {
            throw validationError('invalid name', [
              {
                path: 'name',
                message:
                  'letters, digits, "_", "." and "-", starting with a letter or digit (≥ 2 characters)',
              },
            ]);
          }
        },
        ...targetChecks(body),
      ]);
      // Loopback/private registries only when an admin allowed them: refused before anything exists.
      assertRegistryAllowed(body.image, (await deps.settings.get()).allowedRegistries);
      const where = await placement(body);
      const subdomain = parseSubdomain(body.subdomain);
      if (where.target === 'swarm') {
        const service = await swarmName(body.name, body.image);
        return deps.projects.create(
          ctx,
          {
            name: service,
            kind: 'quick',
            subdomain,
            image: body.image,
            target: 'swarm',
            replicas: where.replicas,
            spec: {
              containerPort: body.containerPort,
              env: body.env ?? {},
              requestedName: body.name ?? null,
              swarmService: service,
              ...where.spec,
            },
          },
          { type: 'docker_run', input: {} },
        );
      }
      if (body.name && (await takenContainerNames(deps.docker)).has(body.name)) {
        throw conflict(`a container named ${body.name} already exists`);
      }
      return deps.projects.create(
        ctx,
        {
          name: body.name ?? inferContainerName(body.image),
          kind: 'quick',
          subdomain,
          image: body.image,
          spec: { containerPort: body.containerPort, env: body.env ?? {}, requestedName: body.name ?? null },
        },
        { type: 'docker_run', input: {} },
      );
    },

    async fromTemplate(ctx: RequestContext, body: FromTemplateRequest) {
      const { templates, reposRoot } = await deps.settings.get();
      let template: { owner: string; repo: string } | null = null;
      collect([
        () => {
          template = parseOwnerRepo(body.template, 'template');
          const allowed = templates.allowlist.some((t) => t.toLowerCase() === body.template.toLowerCase());
          if (!allowed) {
            throw validationError('template is not allow-listed', [
              { path: 'template', message: `${body.template} is not in the template allowlist` },
            ]);
          }
        },
        () => parseRepoName(body.name, 'name'),
        () => body.owner !== undefined && parseOwnerRepo(`${body.owner}/x`, 'owner'),
        () => parseSubdomain(body.subdomain),
        ...targetChecks(body),
      ]);
      const where = await placement(body);
      await requireGithubApp();
      const t = template as unknown as { owner: string; repo: string };
      const owner = body.owner ?? t.owner;
      const dir = await cloneDir(body.name);
      const composeProject = await freeComposeName(composeProjectName(body.name));
      if (body.dryRun) {
        await deps.projects.claimableHostname(body.subdomain);
        // Nothing is generated in a dry run: the plan is the template repo's own, if the App can read it.
        const unreadable = (reason: string) => preconditionFailed(reason);
        const found = await deps.github.client.getRepo(t.owner, t.repo).catch((error: unknown) => {
          throw unreadable(
            `cannot read the template ${body.template} to preview it: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
        const plan = await planClone(deps, {
          repo: { cloneUrl: found.cloneUrl, defaultBranch: found.defaultBranch, fullName: body.template },
          finalDir: path.join(reposRoot, dir),
          project: composeProject,
          field: 'template',
          unreadable,
          warnings: [
            `planned from the template ${body.template}: the new repository ${owner}/${body.name} starts with its files (its name gets -2, -3… if taken)`,
          ],
        });
        return presentPlan(plan);
      }
      return deps.projects.create(
        ctx,
        {
          name: body.name,
          kind: 'template',
          subdomain: parseSubdomain(body.subdomain),
          repo: { owner, name: body.name, url: null },
          path: dir,
          composeProject,
          target: where.target,
          replicas: where.replicas,
          spec: {
            template: {
              owner: t.owner,
              repo: t.repo,
              private: body.visibility === 'private',
              includeAllBranches: body.includeAllBranches,
            },
          },
        },
        { type: 'template_create', input: {} },
      );
    },

    async deployRepo(ctx: RequestContext, body: DeployRepoRequest) {
      let repo: { owner: string; repo: string } | null = null;
      collect([
        () => (repo = parseOwnerRepo(body.repo, 'repo')),
        () => parseSubdomain(body.subdomain),
        ...targetChecks(body),
      ]);
      const where = await placement(body);
      await requireGithubApp();
      const r = repo as unknown as { owner: string; repo: string };
      const found = await deps.github.client.getRepo(r.owner, r.repo).catch((error: unknown) => {
        if ((error as { code?: string }).code === 'NOT_FOUND') {
          throw validationError('repository not found', [
            {
              path: 'repo',
              message: `the GitHub App cannot see ${body.repo}; install it on that repository`,
            },
          ]);
        }
        throw error;
      });
      const live = (await deps.projectsRepo.listActive()).find(
        (p) =>
          p.repo_owner?.toLowerCase() === r.owner.toLowerCase() &&
          p.repo_name?.toLowerCase() === r.repo.toLowerCase(),
      );
      if (live) throw conflict(`${body.repo} is already deployed as project ${live.name}`);
      const name = body.name ?? found.name;
      const dir = await cloneDir(found.name.toLowerCase());
      const composeProject = await freeComposeName(composeProjectName(name));
      if (body.dryRun) {
        await deps.projects.claimableHostname(body.subdomain);
        const { reposRoot } = await deps.settings.get();
        const plan = await planClone(deps, {
          repo: { cloneUrl: found.cloneUrl, defaultBranch: found.defaultBranch, fullName: body.repo },
          finalDir: path.join(reposRoot, dir),
          project: composeProject,
          field: 'repo',
          warnings: [],
        });
        return presentPlan(plan);
      }
      return deps.projects.create(
        ctx,
        {
          name,
          kind: 'existing',
          subdomain: parseSubdomain(body.subdomain),
          repo: { owner: found.owner, name: found.name, url: found.htmlUrl },
          path: dir,
          composeProject,
          target: where.target,
          replicas: where.replicas,
        },
        { type: 'docker_compose_up', input: {} },
      );
    },

    async deployPath(ctx: RequestContext, body: DeployPathRequest) {
      collect([() => parseSubdomain(body.subdomain), ...targetChecks(body)]);
      const where = await placement(body);
      const { reposRoot } = await deps.settings.get();
      const resolved = await resolveProjectDir(reposRoot, body.path);
      const live = (await deps.projectsRepo.listActive()).find((p) => p.path === resolved.relative);
      if (live) throw conflict(`${resolved.relative} is already deployed as project ${live.name}`);
      const name = body.name ?? resolved.relative.split('/').at(-1)!;
      const composeProject = await freeComposeName(composeProjectName(name));
      if (body.dryRun) {
        await deps.projects.claimableHostname(body.subdomain);
        return presentPlan(await planFolder(deps, { dir: resolved.dir, project: composeProject }));
      }
      // A project Compose rejects, one the panel cannot publish, or one Swarm cannot run (its target
      // says) is refused now, not in a job later.
      const inspected = await inspectComposeProject({
        compose: await deps.compose(),
        run: createRunner(),
        dir: resolved.dir,
        project: composeProject,
        mask: await composeMessageMask(deps.settings, resolved.dir),
      });
      if (where.target === 'swarm') assertSwarmCompose(inspected.resolved.model);
      return deps.projects.create(
        ctx,
        {
          name,
          kind: 'existing',
          subdomain: parseSubdomain(body.subdomain),
          path: resolved.relative,
          composeProject,
          target: where.target,
          replicas: where.replicas,
        },
        { type: 'docker_compose_up', input: {} },
      );
    },
  };
}

export type { SwarmRequestChecks, TargetRequest } from './deploy-targets.js';

export type DeployRequestsService = ReturnType<typeof createDeployRequestsService>;
