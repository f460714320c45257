import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectRow } from '../../db/schema.js';
import { LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import { removeService, servicesByLabel, tasksOf } from '../../integrations/swarm/swarm-services.js';
import type { JobContext } from '../jobs/index.js';
import { type SwarmDeps, setState } from './swarm-deps.js';
import { removeStackFile } from './swarm-stack-file.js';

const STACK = 'com.docker.stack.namespace';

/** Removes services, then waits (up to `timeoutMs`) until none of their tasks runs any more. */
async function removeServices(
  deps: Pick<SwarmDeps, 'docker'>,
  ctx: JobContext,
  services: { ID: string; Spec: { Name: string } }[],
  timeoutMs = 60_000,
): Promise<void> {
  for (const s of services) {
    await removeService(deps.docker, s.ID);
    ctx.log.info(`removed service ${s.Spec.Name}`);
  }
  const ids = services.map((s) => s.ID);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const left = (await tasksOf(deps.docker, ids).catch(() => [])).filter(
      (t) => t.Status.State === 'running',
    );
    if (left.length === 0) return;
    await sleep(500, undefined, { signal: ctx.signal });
  }
  ctx.log.warn('some tasks were still stopping when the wait ended');
}

/** Removes a stack the way `docker stack rm` does: services, then its networks, configs and secrets. */
export async function removeStack(
  deps: Pick<SwarmDeps, 'docker'>,
  ctx: JobContext,
  stack: string,
  removeVolumes: boolean,
): Promise<void> {
  const label = `${STACK}=${stack}`;
  await removeServices(deps, ctx, await servicesByLabel(deps.docker, [label]));
  const d = deps.docker;
  for (const n of await d.call('list networks', (x) => x.listNetworks({ filters: { label: [label] } }))) {
    // The last endpoints go away a moment after the services; a task on a node that is down keeps the
    // network in use until that node comes back or is removed from the Swarm.
    let reason = '';
    for (let attempt = 0; attempt < 8; attempt++) {
      reason = await d
        .call('remove network', (x) => x.getNetwork(n.Id).remove())
        .then(
          () => '',
          (e: Error) => e.message,
        );
      if (reason === '') break;
      await sleep(1500, undefined, { signal: ctx.signal });
    }
    if (reason) ctx.log.warn(`network ${n.Name} stays (${reason}); remove it once every node is back`);
    else ctx.log.info(`removed network ${n.Name}`);
  }
  for (const c of await d.call('list configs', (x) => x.listConfigs({ filters: { label: [label] } }))) {
    await d.call('remove config', (x) => x.getConfig(c.ID).remove()).catch(() => {});
  }
  for (const s of await d.call('list secrets', (x) => x.listSecrets({ filters: { label: [label] } }))) {
    await d.call('remove secret', (x) => x.getSecret(s.ID).remove()).catch(() => {});
  }
  if (removeVolumes) {
    const { Volumes } = await d.call('list volumes', (x) => x.listVolumes({ filters: { label: [label] } }));
    for (const v of Volumes ?? []) {
      await d
        .call('remove volume', (x) => x.getVolume(v.Name).remove())
        .then(
          () => ctx.log.info(`removed volume ${v.Name} on the manager`),
          (e: Error) => ctx.log.warn(`volume ${v.Name} stays: ${e.message}`),
        );
    }
    ctx.log.warn(
      "volumes on other nodes stay: the panel talks only to the manager's engine; remove them on each node (docker volume rm)",
    );
  }
}

/**
 * What the project runs on the Swarm: its service (quick) or its stack (services, networks, configs,
 * secrets, stack file) — not its route or releases (a move to the host keeps those).
 */
export async function removeSwarmPlacement(deps: SwarmDeps, ctx: JobContext, row: ProjectRow): Promise<void> {
  if (row.kind === 'quick') {
    await ctx.step('Removing the Swarm service', async () =>
      removeServices(deps, ctx, await servicesByLabel(deps.docker, [`${LABEL_PROJECT}=${row.id}`])),
    );
  } else if (row.compose_project) {
    await ctx.step(`Removing stack ${row.compose_project}`, async () => {
      await removeStack(deps, ctx, row.compose_project!, false);
      await removeStackFile(deps.dataDir, row.id);
    });
  }
}

/**
 * Teardown on Swarm: the project's service (quick) or its stack's services, networks, configs and
 * secrets; then its route, its releases and its stack file. Safe to run again after a partial failure.
 */
export async function teardownOnSwarm(
  deps: SwarmDeps,
  ctx: JobContext,
  row: ProjectRow,
  removeVolumes: boolean,
): Promise<unknown> {
  if (row.kind === 'quick') {
    await ctx.step('Removing the Swarm service', async () => {
      await removeServices(deps, ctx, await servicesByLabel(deps.docker, [`${LABEL_PROJECT}=${row.id}`]));
      if (removeVolumes)
        ctx.log.warn('a quick service on Swarm has no volumes the panel made; nothing else to remove');
    });
  } else if (row.compose_project) {
    await ctx.step(`Removing stack ${row.compose_project}`, () =>
      removeStack(deps, ctx, row.compose_project!, removeVolumes),
    );
  }
  await ctx.step('Removing the route', () => deps.publisher.unpublish(ctx, row.id));
  await ctx.step('Forgetting its releases', async () => {
    await deps.releases.forget(row.id, ctx.log);
    // The stack file holds the resolved environment: it goes with the project.
    await removeStackFile(deps.dataDir, row.id);
  });
  await setState(deps, row.id, { status: 'removed' });
  return { removed: true, volumesRemoved: removeVolumes };
}
