import type Docker from 'dockerode';
import { z } from 'zod';
import type { ProjectRow } from '../../db/schema.js';
import { conflict } from '../../domain/errors.js';
import { containerName } from '../../integrations/docker/docker-labels.js';
import { defineJob, type JobContext, type JobDefinition } from '../jobs/index.js';
import { composeTargetOf } from './compose.deploy.js';
import type { DeployDeps } from './deploy-deps.js';
import { isPreviousName } from './previous-container.js';
import { setProjectState } from './project-state.js';
import { containerLabelOf, observeProject } from './project-status.js';

/** Stop, start or restart: what the buttons on a project do. */
export type LifecycleAction = 'stop' | 'start' | 'restart';

/** Through the engine, one container after another (quick services, or a compose project without its folder). */
async function viaEngine(deps: DeployDeps, ctx: JobContext, row: ProjectRow, action: LifecycleAction) {
  const list = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [containerLabelOf(row)] } }),
  );
  const own = list.filter((c) => !isPreviousName(containerName(c.Names)));
  if (own.length === 0)
    throw conflict(`${row.name} has no containers left; redeploy it to create them again`);
  for (const c of own) {
    const name = containerName(c.Names);
    // Already where the action leads (the engine answers 304): nothing to do for it.
    if (action === 'stop' && c.State !== 'running' && c.State !== 'restarting') continue;
    if (action === 'start' && c.State === 'running') continue;
    await ctx.step(`${action[0]!.toUpperCase()}${action.slice(1)} container ${name}`, async () => {
      const container = (d: Docker) => d.getContainer(c.Id);
      if (action === 'stop') {
        await deps.docker.call('stop container', (d) => container(d).stop({ t: 10 }));
        // The engine answers `stop` a moment before the container's state says so: wait for it.
        await deps.docker.call('wait for container', (d) => container(d).wait({ condition: 'not-running' }));
      } else if (action === 'start') await deps.docker.call('start container', (d) => container(d).start());
      else await deps.docker.call('restart container', (d) => container(d).restart({ t: 10 }));
    });
  }
}

/** Run the action, then record what the containers now say (the event watcher agrees a moment later). */
async function runLifecycle(deps: DeployDeps, ctx: JobContext, row: ProjectRow, action: LifecycleAction) {
  if (row.kind !== 'quick' && row.compose_project) {
    const target = await composeTargetOf(deps, row).catch(() => null);
    if (target) {
      const compose = await deps.compose();
      // The model the panel ran (`.warp/compose.yaml`) under the project's name: the same containers.
      await ctx.step(`compose ${action} (${target.project})`, () => compose[action](ctx.run, target));
    } else {
      ctx.log.warn('the project folder is gone; acting on its containers through the engine');
      await viaEngine(deps, ctx, row, action);
    }
  } else {
    await viaEngine(deps, ctx, row, action);
  }
  const seen = await observeProject(deps.docker, row);
  await setProjectState(deps, row.id, {
    status: seen.status,
    status_reason: seen.reason,
    ...(seen.names.length > 0 ? { container_names: JSON.stringify(seen.names) } : {}),
  });
  ctx.log.info(`${row.name} is ${seen.status}${seen.reason ? `: ${seen.reason}` : ''}`);
  return { status: seen.status, containers: seen.names };
}

/** Job types `project_stop`, `project_start`, `project_restart`. */
export function lifecycleJobs(deps: DeployDeps): JobDefinition[] {
  const input = z.object({ projectId: z.uuid() }).strict();
  return (['stop', 'start', 'restart'] as const).map(
    (action) =>
      defineJob({
        type: `project_${action}`,
        input,
        handler: async (ctx) =>
          runLifecycle(deps, ctx, await deps.projects.load(ctx.input.projectId), action),
      }) as JobDefinition,
  );
}
