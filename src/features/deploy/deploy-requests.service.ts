import { findProxyService } from '../../domain/compose-file.js';
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
import { composeProjectName, parseOwnerRepo, parseRepoName } from '../../domain/repo-name.js';
import { parseSubdomain } from '../../domain/subdomain.js';
import { isValidSwarmName } from '../../domain/swarm-names.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { GithubClient } from '../../integrations/github/github-client.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import { readComposeFile } from './compose.deploy.js';
import { takenContainerNames } from './container-ops.js';
import {
  assertSwarmCompose,
  createTargets,
  type SwarmRequestChecks,
  type TargetRequest,
} from './deploy-targets.js';
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
  path: string;
  subdomain: string;
  name?: string | undefined;
}

/** `POST /api/v1/projects/from-template`. */
export interface FromTemplateRequest extends TargetRequest {
  template: string;
  name: string;
  owner?: string | undefined;
  visibility: 'private' | 'public';
  includeAllBranches: boolean;
  subdomain: string;
}

/** `POST /api/v1/projects/deploy-existing` with a GitHub repo. */
export interface DeployRepoRequest extends TargetRequest {
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
  if (details.length > 0) throw validationError('request is invalid', details);
}

/** Validate deploy requests completely, then create the project and queue its job. */
export function createDeployRequestsService(deps: {
  projects: ProjectsService;
  projectsRepo: ProjectsRepository;
  docker: DockerClient;
  settings: { get(): Promise<{ reposRoot: string; templates: { allowlist: string[] } }> };
  github: { app: { configured(): Promise<boolean> }; client: Pick<GithubClient, 'getRepo'> };
  /** Swarm deploys; without it, `target: "swarm"` is refused (422). */
  swarm?: SwarmRequestChecks;
}) {
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

  return {
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
      const { templates } = await deps.settings.get();
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
      return deps.projects.create(
        ctx,
        {
          name: body.name,
          kind: 'template',
          subdomain: parseSubdomain(body.subdomain),
          repo: { owner, name: body.name, url: null },
          path: await cloneDir(body.name),
          composeProject: await freeComposeName(composeProjectName(body.name)),
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
      return deps.projects.create(
        ctx,
        {
          name,
          kind: 'existing',
          subdomain: parseSubdomain(body.subdomain),
          repo: { owner: found.owner, name: found.name, url: found.htmlUrl },
          path: await cloneDir(found.name.toLowerCase()),
          composeProject: await freeComposeName(composeProjectName(name)),
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
      // A compose file the panel cannot publish (or Swarm cannot run) is refused now, not in a job later.
      const compose = await readComposeFile(resolved.composeFile);
      findProxyService(compose);
      if (where.target === 'swarm') assertSwarmCompose(compose);
      const live = (await deps.projectsRepo.listActive()).find((p) => p.path === resolved.relative);
      if (live) throw conflict(`${resolved.relative} is already deployed as project ${live.name}`);
      const name = body.name ?? resolved.relative.split('/').at(-1)!;
      return deps.projects.create(
        ctx,
        {
          name,
          kind: 'existing',
          subdomain: parseSubdomain(body.subdomain),
          path: resolved.relative,
          composeProject: await freeComposeName(composeProjectName(name)),
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
