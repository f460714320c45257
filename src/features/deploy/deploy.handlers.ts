import { z } from 'zod';
import type { ProjectRow } from '../../db/schema.js';
import { conflict, preconditionFailed } from '../../domain/errors.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import type { ContainersService } from '../containers/index.js';
import { defineJob, type JobContext, type JobDefinition } from '../jobs/index.js';
import { type Release, ROLLBACK_JOB } from '../releases/index.js';
import { deployCompose } from './compose.deploy.js';
import type { DeployDeps, SwarmFlows } from './deploy-deps.js';
import { nothingAnswers, somethingListens } from './forward.handler.js';
import type { HostReposService } from './host-repos.service.js';
import { lifecycleJobs } from './project-lifecycle.js';
import { setProjectState } from './project-state.js';
import { publishProject } from './publish-project.js';
import { deployQuickService } from './quick-service.deploy.js';
import { type GithubDeps, type SyncTarget, syncToCommit } from './repo-sync.js';
import { moveProject } from './target-move.js';
import { teardownProject } from './teardown.deploy.js';
import { deployRepoBacked } from './template.deploy.js';

const projectInput = z.object({ projectId: z.uuid() }).strict();

/** Job types whose outcome is a deploy (quick service, compose, redeploy, template, forward): what notifications report. */
export const DEPLOY_JOB_TYPES: ReadonlySet<string> = new Set([
  'docker_run',
  'docker_compose_up',
  'redeploy',
  'template_create',
  'forward',
  ROLLBACK_JOB,
]);
/**
 * A redeploy: the project again, for repo-backed projects optionally a given branch head or exactly one
 * commit (a push's `after`, a deploy hook's `commit`).
 */
export const redeployInput = projectInput.extend({
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/, 'expected a 40-character commit id')
    .optional(),
  branch: z.string().min(1).max(255).optional(),
});

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

  /**
   * Deploy the project as it is configured now (repo projects: optionally a given branch head or commit),
   * or re-run exactly release `pin` (a rollback).
   */
  async function deploy(
    ctx: JobContext,
    projectId: string,
    target: SyncTarget = {},
    pin: Release | null = null,
  ) {
    const row = await load(projectId);
    if (row.kind !== 'forward') await deps.beforeDeploy?.(ctx, row.id);
    const move = row.kind === 'forward' ? undefined : deps.projects.openSpec(row).move;
    if (!pin && move && move.target !== row.target) {
      return moveProject(deps, ctx, row, move, {
        swarm,
        deployNew: (moved, serving) => deployOn(ctx, moved, target, serving),
      });
    }
    if (pin && (pin.strategy === 'rolling' ? 'swarm' : 'host') !== row.target) {
      throw conflict(`release #${pin.seq} ran on another target than the one ${row.name} runs on now`);
    }
    return deployOn(ctx, row, target, null, pin);
  }

  /** Deploy `row` on its target (a move passes the row as it will be, and what serves it now). */
  async function deployOn(
    ctx: JobContext,
    row: ProjectRow,
    target: SyncTarget,
    serving: string | null,
    pin: Release | null = null,
  ) {
    // Swarm quick services here; Swarm compose projects at the compose step (after any repo sync).
    if (row.target === 'swarm' && row.kind === 'quick') return swarm().deployQuick(ctx, row, pin);
    if (row.kind === 'quick') return deployQuickService(deps, ctx, row, pin, serving ? { serving } : {});
    if (row.kind === 'forward') {
      const port = row.host_port!;
      const service = `http://localhost:${port}`;
      await publishProject(deps, ctx, row, service);
      const url = `https://${row.hostname}`;
      if (!(await somethingListens(port))) {
        const warning = nothingAnswers(port);
        ctx.log.warn(`${warning}; ${url} works once something listens there`);
        await setProjectState(deps, row.id, { status: 'degraded', status_reason: warning });
        return { url, service, warning };
      }
      await setProjectState(deps, row.id, { status: 'running' });
      return { url, service };
    }
    if (pin) {
      if (pin.commit && row.repo_owner && row.repo_name) {
        await syncToCommit(deps.github, ctx, row, (await deps.settings.get()).reposRoot, pin.commit);
      }
      return deployCompose(deps, ctx, row, pin);
    }
    if (row.repo_owner && row.repo_name) return deployRepoBacked(deps, ctx, row, target);
    return deployCompose(deps, ctx, row);
  }

  /** Roll back: the release, exactly as it ran (its images by digest, its commit, its model or spec). */
  async function rollback(ctx: JobContext, projectId: string, releaseId: string) {
    const release = await deps.releases.get(projectId, releaseId);
    ctx.log.info(
      `rolling back to release #${release.seq} of ${release.createdAt}${release.commit ? ` (commit ${release.commit.slice(0, 12)})` : ''}`,
    );
    return deploy(ctx, projectId, {}, release);
  }

  async function composeAction(
    ctx: JobContext,
    input: { name: string; composeProject: string },
    action: 'stop' | 'restart',
  ) {
    const { reposRoot } = await deps.settings.get();
    const resolved = await resolveProjectDir(reposRoot, input.name, 'name');
    const compose = await deps.compose();
    const { file, profiles } = await deps.hostRepos.composeFileFor(ctx.job.projectId);
    const target = { project: input.composeProject, file, cwd: resolved.dir, profiles };
    ctx.log.info(
      `${action} ${input.composeProject} (${file ? 'the model the panel runs' : 'its compose files'})`,
    );
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
    defineJob({
      type: 'redeploy',
      input: redeployInput,
      handler: (ctx) =>
        deploy(ctx, ctx.input.projectId, { branch: ctx.input.branch, commit: ctx.input.commit }),
    }),
    defineJob({
      type: ROLLBACK_JOB,
      input: projectInput.extend({ releaseId: z.uuid() }),
      handler: (ctx) => rollback(ctx, ctx.input.projectId, ctx.input.releaseId),
    }),
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
  for (const definition of lifecycleJobs(deps)) jobs.register(definition);
}
