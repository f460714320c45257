import type { ProjectRow } from '../../db/schema.js';
import { LABEL_COMPOSE_PROJECT, LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { ContainersService } from '../containers/index.js';
import type { JobContext } from '../jobs/index.js';
import { composeTargetOf } from './compose.deploy.js';
import type { DeployDeps } from './deploy-deps.js';
import { setProjectState } from './project-state.js';
import { SWARM_TASK_LABEL } from './quick-service.deploy.js';

/** The request context a job acts in (its actor), for audited calls made from a job. */
const jobContext = (ctx: JobContext): RequestContext => ({
  actor: ctx.job.actor ? { userId: '', login: ctx.job.actor, role: 'operator', via: 'token' } : null,
  requestId: ctx.job.id,
  ip: null,
});

async function removeLabelled(
  deps: DeployDeps,
  containers: ContainersService,
  ctx: JobContext,
  label: string,
  volumes: boolean,
) {
  const list = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [label] } }),
  );
  // Containers of the project's Swarm tasks on this engine are Swarm's to remove, not the host's.
  for (const c of list.filter((x) => !x.Labels?.[SWARM_TASK_LABEL])) {
    await containers.remove(jobContext(ctx), c.Id, { volumes });
    ctx.log.info(`removed container ${c.Names[0]?.replace(/^\//, '')}${volumes ? ' and its volumes' : ''}`);
  }
}

/**
 * Teardown: stop and remove the project's containers (compose `down`, with `-v` only when asked),
 * drop its route and its port reservation, mark it removed. Safe to run again after a partial failure.
 */
export async function teardownProject(
  deps: DeployDeps & { containers: ContainersService },
  ctx: JobContext,
  row: ProjectRow,
  removeVolumes: boolean,
): Promise<unknown> {
  await removeHostPlacement(deps, ctx, row, removeVolumes);
  await ctx.step('Removing the route', () => deps.publisher.unpublish(ctx, row.id));
  await ctx.step('Forgetting its releases', () => deps.releases.forget(row.id, ctx.log));
  await setProjectState(deps, row.id, { status: 'removed' });
  return { removed: true, volumesRemoved: removeVolumes };
}

/**
 * What the project has on this host: its containers (compose `down`, with `-v` only when asked), its
 * compose plan and its port reservation — not its route or releases (a move keeps those).
 */
export async function removeHostPlacement(
  deps: DeployDeps & { containers: ContainersService },
  ctx: JobContext,
  row: ProjectRow,
  removeVolumes: boolean,
): Promise<void> {
  if (row.kind === 'quick') {
    await ctx.step('Removing containers', () =>
      removeLabelled(deps, deps.containers, ctx, `${LABEL_PROJECT}=${row.id}`, removeVolumes),
    );
  } else if (row.compose_project) {
    await ctx.step(`Taking down compose project ${row.compose_project}`, async () => {
      const compose = await deps.compose();
      const target = await composeTargetOf(deps, row).catch(() => null);
      if (target) {
        await compose.down(ctx.run, target, removeVolumes);
      } else {
        ctx.log.warn('the project folder is gone; removing its containers through the engine');
      }
      // Whatever compose left (or could not reach) is removed by its labels: the first release's
      // compose project and every container of the project (releases run as warp-<slug>_<seq>).
      await removeLabelled(
        deps,
        deps.containers,
        ctx,
        `${LABEL_COMPOSE_PROJECT}=${row.compose_project}`,
        removeVolumes,
      );
      await removeLabelled(deps, deps.containers, ctx, `${LABEL_PROJECT}=${row.id}`, removeVolumes);
      await deps.plans.remove(row.id);
    });
  }
  await ctx.step('Releasing the port reservation', async () => {
    const released = await deps.ports.release({ projectId: row.id });
    ctx.log.info(released > 0 ? `released ${released} port reservation(s)` : 'no port was reserved');
  });
}
