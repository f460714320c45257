import type { ProjectRow } from '../../db/schema.js';
import { toDockerEnv } from '../../domain/env-vars.js';
import { conflict } from '../../domain/errors.js';
import { nodeLabelConstraints, resourceLimits } from '../../domain/swarm-names.js';
import { quickServiceSpec } from '../../domain/swarm-spec.js';
import { LABEL_PROJECT, managedLabels } from '../../integrations/docker/docker-labels.js';
import { waitConverged } from '../../integrations/swarm/swarm-converge.js';
import { requireManager } from '../../integrations/swarm/swarm-mode.js';
import { listNodes } from '../../integrations/swarm/swarm-nodes.js';
import { ensureOverlay } from '../../integrations/swarm/swarm-objects.js';
import {
  createService,
  findService,
  removeService,
  rollbackService,
  updateService,
} from '../../integrations/swarm/swarm-services.js';
import type { JobContext } from '../jobs/index.js';
import { pacingOf, type SwarmDeps, setState, warnIfTunnelOffSwarm } from './swarm-deps.js';

/** Where the tasks run, for the job log: `web.1 on node-a, web.2 on node-b`. */
export async function describePlacement(
  deps: Pick<SwarmDeps, 'docker'>,
  name: string,
  tasks: { Slot?: number; NodeID?: string }[],
): Promise<string> {
  const nodes = new Map((await listNodes(deps.docker, null)).map((n) => [n.id, n.hostname]));
  return tasks
    .map((t) => `${name}.${t.Slot ?? '?'} on ${nodes.get(t.NodeID ?? '') ?? t.NodeID ?? '?'}`)
    .sort()
    .join(', ');
}

/**
 * A quick service on Swarm: the shared overlay network → the service (created, or rolled start-first
 * to the new spec) → wait until the update converged and the replicas run → publish
 * `http://<service>:<port>`, which any connector on the overlay reaches. A failed first deploy
 * removes the service; a failed update is rolled back to the previous spec.
 */
export async function deployQuickOnSwarm(
  deps: SwarmDeps,
  ctx: JobContext,
  row: ProjectRow,
): Promise<unknown> {
  const spec = deps.openSpec(row);
  for (const value of Object.values(spec.env ?? {})) ctx.addSecret(value);
  const settings = await deps.settings.get();
  const name = spec.swarmService ?? row.name;
  const port = spec.containerPort ?? 80;
  const replicas = row.replicas ?? 1;
  let created: string | null = null;
  let updated = false;
  await setState(deps, row.id, { status: 'deploying' });
  try {
    const mode = await ctx.step('Checking the Swarm manager', () => requireManager(deps.docker));
    ctx.log.info(`Swarm of ${mode.nodes ?? '?'} node(s), ${mode.managers ?? '?'} manager(s)`);
    await ctx.step(`Overlay network ${settings.swarm.network}`, async () => {
      const { created: made } = await ensureOverlay(deps.docker, settings.swarm.network, {
        'warp.managed': 'true',
      });
      ctx.log.info(made ? 'created' : 'exists');
    });
    const desired = quickServiceSpec({
      name,
      image: row.image!,
      env: toDockerEnv(spec.env ?? {}),
      labels: { ...managedLabels(row.id), 'warp.kind': 'quick', 'warp.port': String(port) },
      replicas,
      constraints: nodeLabelConstraints(spec.constraints ?? {}),
      limits: resourceLimits(spec.resources ?? {}),
      network: settings.swarm.network,
      endpointMode: settings.swarm.endpointMode,
      pacing: pacingOf(settings),
    });
    const existing = await findService(deps.docker, name);
    if (existing && existing.Spec.Labels?.[LABEL_PROJECT] !== row.id) {
      throw conflict(`a Swarm service named ${name} exists and is not this project's`);
    }
    let id: string;
    if (existing) {
      id = existing.ID;
      // A redeploy replaces every task (as `docker service update --force`): nodes pull the image again.
      const force = Number(
        (existing.Spec.TaskTemplate as { ForceUpdate?: number } | undefined)?.ForceUpdate ?? 0,
      );
      (desired.TaskTemplate as { ForceUpdate?: number }).ForceUpdate = force + 1;
      await ctx.step(`Rolling update of ${name} (start-first, one task at a time)`, () =>
        updateService(deps.docker, existing.ID, existing.Version.Index, desired),
      );
      updated = true;
    } else {
      id = await ctx.step(`Creating Swarm service ${name} (${replicas} replica(s))`, () =>
        createService(deps.docker, desired),
      );
      created = id;
    }
    const tasks = await ctx.step('Waiting until the service converged', () =>
      waitConverged(deps.docker, id, {
        timeoutMs: deps.gate?.timeoutMs ?? 180_000,
        stableMs: deps.gate?.stableMs ?? 3_000,
        signal: ctx.signal,
        log: ctx.log,
      }),
    );
    ctx.log.info(`running: ${await describePlacement(deps, name, tasks)}`);
    const service = `http://${name}:${port}`;
    warnIfTunnelOffSwarm(settings, ctx.log, service);
    await ctx.step(`Publishing ${row.hostname}`, () =>
      deps.publisher.publish(ctx, { projectId: row.id, hostname: row.hostname!, service }),
    );
    await setState(deps, row.id, { status: 'running', container_names: JSON.stringify([name]) });
    ctx.log.info(`live at https://${row.hostname}`);
    return { url: `https://${row.hostname}`, service: name, replicas, tasks: tasks.length };
  } catch (error) {
    if (created) {
      await removeService(deps.docker, created).catch((e: Error) =>
        ctx.log.warn(`could not remove ${name}: ${e.message}`),
      );
      ctx.log.info(`service ${name} removed`);
    } else if (updated) {
      const now = await findService(deps.docker, name).catch(() => null);
      // Swarm rolls back by itself when new tasks fail; a timeout or cancel is rolled back here.
      if (now && now.UpdateStatus?.State !== 'rollback_completed' && now.PreviousSpec) {
        await rollbackService(deps.docker, now).catch((e: Error) =>
          ctx.log.warn(`rollback failed: ${e.message}`),
        );
        ctx.log.info(`service ${name} rolled back to its previous spec`);
      }
    }
    await setState(deps, row.id, { status: updated ? 'running' : 'failed' });
    throw error;
  }
}
