import path from 'node:path';
import { z } from 'zod';
import { preconditionFailed } from '../../domain/errors.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import type { ContainersService } from '../containers/index.js';
import { defineJob, type JobContext, type JobDefinition } from '../jobs/index.js';
import { deployCompose } from './compose.deploy.js';
import type { DeployDeps, SwarmFlows } from './deploy-deps.js';
import type { HostReposService } from './host-repos.service.js';
import { setProjectState } from './project-state.js';
import { deployQuickService } from './quick-service.deploy.js';
import type { GithubDeps } from './repo-sync.js';
import { teardownProject } from './teardown.deploy.js';
import { deployRepoBacked } from './template.deploy.js';

const projectInput = z.object({ projectId: z.uuid() }).strict();

/** Something job types can be registered with (the jobs service). */
interface JobTypeRegistry {
  register<S extends z.ZodType>(def: JobDefinition<S>): void;
}

/** Register the handlers of the deploy flows, named as in the plan. */
export function registerDeployJobs(
  jobs: JobTypeRegistry,
  deps: DeployDeps & {
    containers: ContainersService;
    hostRepos: HostReposService;
    github: GithubDeps;
  },
): void {
  const load = (id: string) => deps.projects.load(id);
  const swarm = (): SwarmFlows => {
    if (!deps.swarm) throw preconditionFailed('this panel has no Swarm support wired in');
    return deps.swarm;
  };

  async function deploy(ctx: JobContext, projectId: string) {
    const row = await load(projectId);
    // Swarm quick services here; Swarm compose projects at the compose step (after any repo sync).
    if (row.target === 'swarm' && row.kind === 'quick') return swarm().deployQuick(ctx, row);
    if (row.kind === 'quick') return deployQuickService(deps, ctx, row);
    if (row.kind === 'forward') {
      const service = `http://localhost:${row.host_port}`;
      await ctx.step(`Publishing ${row.hostname}`, () =>
        deps.publisher.publish(ctx, { projectId: row.id, hostname: row.hostname!, service }),
      );
      await setProjectState(deps, row.id, { status: 'running' });
      return { url: `https://${row.hostname}` };
    }
    if (row.repo_owner && row.repo_name) return deployRepoBacked(deps, ctx, row);
    return deployCompose(deps, ctx, row);
  }

  async function composeAction(
    ctx: JobContext,
    input: { name: string; composeProject: string },
    action: 'stop' | 'restart',
  ) {
    const { reposRoot } = await deps.settings.get();
    const resolved = await resolveProjectDir(reposRoot, input.name, 'name');
    const compose = await deps.compose();
    const file = await deps.hostRepos.composeFileFor(resolved.dir, resolved.composeFile);
    const target = { project: input.composeProject, file, cwd: resolved.dir };
    ctx.log.info(`${action} ${input.composeProject} (${path.relative(resolved.dir, file)})`);
    await ctx.step(`compose ${action}`, () => compose[action](ctx.run, target));
    if (ctx.job.projectId)
      await setProjectState(deps, ctx.job.projectId, { status: action === 'stop' ? 'stopped' : 'running' });
    return { composeProject: input.composeProject, action };
  }

  const definitions = [
    defineJob({
      type: 'docker_run',
      input: projectInput,
      handler: (ctx) => deploy(ctx, ctx.input.projectId),
    }),
    defineJob({
      type: 'docker_compose_up',
      input: projectInput,
      handler: (ctx) => deploy(ctx, ctx.input.projectId),
    }),
    defineJob({ type: 'redeploy', input: projectInput, handler: (ctx) => deploy(ctx, ctx.input.projectId) }),
    defineJob({
      type: 'template_create',
      input: projectInput,
      handler: (ctx) => deploy(ctx, ctx.input.projectId),
    }),
    defineJob({
      type: 'teardown',
      input: projectInput.extend({ removeVolumes: z.boolean().default(false) }),
      handler: async (ctx) => {
        const row = await load(ctx.input.projectId);
        if (row.target === 'swarm') return swarm().teardown(ctx, row, ctx.input.removeVolumes);
        return teardownProject(deps, ctx, row, ctx.input.removeVolumes);
      },
    }),
    defineJob({
      type: 'compose_stop',
      input: z
        .object({ name: z.string(), composeProject: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/) })
        .strict(),
      handler: (ctx) => composeAction(ctx, ctx.input, 'stop'),
    }),
    defineJob({
      type: 'compose_restart',
      input: z
        .object({ name: z.string(), composeProject: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/) })
        .strict(),
      handler: (ctx) => composeAction(ctx, ctx.input, 'restart'),
    }),
  ] as const;
  for (const definition of definitions) jobs.register(definition as JobDefinition);
}
