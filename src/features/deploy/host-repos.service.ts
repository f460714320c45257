import fs from 'node:fs/promises';
import YAML from 'yaml';
import { profilesUsed } from '../../domain/compose/index.js';
import { notFound } from '../../domain/errors.js';
import { composeProjectName } from '../../domain/repo-name.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import { listComposeFolders, resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import { hostRepoJobTitle } from './job-titles.js';
import type { PlanStore } from './plan-store.js';
import type { JobQueue } from './projects.service.js';

const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir';

/** A compose project found under the repos root. */
export interface HostRepo {
  name: string;
  path: string;
  composeProject: string;
  status: 'running' | 'partial' | 'stopped' | 'not-deployed';
  services: string[];
  projectId: string | null;
}

async function servicesOf(file: string): Promise<string[]> {
  try {
    const parsed = YAML.parse(await fs.readFile(file, 'utf8')) as {
      services?: Record<string, unknown>;
    } | null;
    return Object.keys(parsed?.services ?? {}).sort();
  } catch {
    return [];
  }
}

/** Host repos: compose folders under the repos root with their state from the engine's compose labels. */
export function createHostReposService(deps: {
  docker: DockerClient;
  projects: ProjectsRepository;
  jobs: JobQueue;
  settings: { get(): Promise<{ reposRoot: string }> };
  plans: PlanStore;
}) {
  async function list(): Promise<HostRepo[]> {
    const { reposRoot } = await deps.settings.get();
    const [folders, containers, projects] = await Promise.all([
      listComposeFolders(reposRoot),
      deps.docker.call('list containers', (d) =>
        d.listContainers({ all: true, filters: { label: [LABEL_WORKING_DIR] } }),
      ),
      deps.projects.listActive(),
    ]);
    return Promise.all(
      folders.map(async (folder) => {
        const real = await fs.realpath(folder.dir);
        const mine = containers.filter(
          (c) => c.Labels[LABEL_WORKING_DIR] === real || c.Labels[LABEL_WORKING_DIR] === folder.dir,
        );
        const project = projects.find((p) => p.path === folder.name && p.compose_project);
        const running = mine.filter((c) => c.State === 'running').length;
        return {
          name: folder.name,
          path: folder.dir,
          composeProject:
            mine[0]?.Labels[LABEL_COMPOSE_PROJECT] ??
            project?.compose_project ??
            composeProjectName(folder.name),
          status:
            mine.length === 0
              ? 'not-deployed'
              : running === mine.length
                ? 'running'
                : running === 0
                  ? 'stopped'
                  : 'partial',
          services: await servicesOf(folder.composeFile),
          projectId: project?.id ?? null,
        } satisfies HostRepo;
      }),
    );
  }

  return {
    list,
    /** Queue `compose_stop` / `compose_restart` for a listed folder. */
    async enqueue(ctx: RequestContext, name: string, action: 'stop' | 'restart') {
      const { reposRoot } = await deps.settings.get();
      await resolveProjectDir(reposRoot, name, 'name');
      const repo = (await list()).find((r) => r.name === name);
      if (!repo) throw notFound(`host repo ${name}`);
      const job = await deps.jobs.enqueue(
        ctx,
        action === 'stop' ? 'compose_stop' : 'compose_restart',
        { name, composeProject: repo.composeProject },
        { projectId: repo.projectId, title: hostRepoJobTitle(action, name) },
      );
      return { job };
    },
    /**
     * How compose should address a folder: the model the panel runs for its project (with the
     * profiles that model needs), else Compose's own file lookup in the folder (null file).
     */
    async composeFileFor(projectId: string | null): Promise<{ file: string | null; profiles: string[] }> {
      const plan = projectId ? await deps.plans.load(projectId).catch(() => null) : null;
      if (!plan || !projectId) return { file: null, profiles: [] };
      return { file: deps.plans.modelFile(projectId), profiles: profilesUsed(plan.model) };
    },
  };
}

export type HostReposService = ReturnType<typeof createHostReposService>;
