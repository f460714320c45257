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
import type { Release } from '../releases/index.js';
import { pacingOf, type SwarmDeps, setState, warnIfTunnelOffSwarm } from './swarm-deps.js';
import {
  pinSwarmImage,
  projectImages,
  publishOnSwarm,
  type SwarmQuickContent,
  swarmImageRecord,
} from './swarm-release.js';

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

/** What the deploy runs: the project as configured now, or exactly what release `pin` ran. */
function contentOf(deps: SwarmDeps, row: ProjectRow, pin: Release | null): SwarmQuickContent {
  const spec = deps.openSpec(row);
  const now: SwarmQuickContent = {
    kind: 'quick',
    target: 'swarm',
    image: row.image!,
    containerPort: spec.containerPort ?? 80,
    env: spec.env ?? {},
    requestedName: spec.requestedName ?? null,
    replicas: row.replicas ?? 1,
    constraints: spec.constraints ?? {},
    resources: spec.resources ?? {},
  };
  return pin ? { ...now, ...(pin.content as Partial<SwarmQuickContent>) } : now;
}

/**
 * A quick service on Swarm: the shared overlay network → the image (allowed registry; pinned by its
 * registry digest so every node runs the same one) → the service (created, or rolled start-first to
 * the new spec, the registry login passed on to the nodes) → wait until the update converged and the
 * replicas run → publish `http://<service>:<port>`, which any connector on the overlay reaches → the
 * release (strategy `rolling`) goes live. `pin` re-runs a release exactly (a rollback). A failed first
 * deploy removes the service; a failed update is rolled back to the previous spec.
 */
export async function deployQuickOnSwarm(
  deps: SwarmDeps,
  ctx: JobContext,
  row: ProjectRow,
  pin: Release | null = null,
): Promise<unknown> {
  const content = contentOf(deps, row, pin);
  for (const value of Object.values(content.env)) ctx.addSecret(value);
  const settings = await deps.settings.get();
  const name = deps.openSpec(row).swarmService ?? row.name;
  const port = content.containerPort;
  let created: string | null = null;
  let updated = false;
  let release: Release | null = pin;
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
    const wanted = pin?.images[0]?.ref ?? content.image;
    // The allowed-registries rule first: a 400 naming the image, before anything runs.
    await deps.registries.assertAllowed(wanted);
    const auth = await deps.registries.authFor(wanted);
    const image = await ctx.step(`Resolving image ${wanted}`, () =>
      pin ? Promise.resolve(wanted) : pinSwarmImage(deps, ctx, wanted, auth),
    );
    if (pin) ctx.log.info(`release #${pin.seq} ran ${image}`);
    release ??= await deps.releases.begin({
      projectId: row.id,
      strategy: 'rolling',
      commit: null,
      content: { ...content },
      hostPort: null,
      composeProject: null,
      jobId: ctx.job.id,
      actor: ctx.job.actor,
    });
    const labels = { ...managedLabels(row.id), 'warp.kind': 'quick', 'warp.port': String(port) };
    const desired = quickServiceSpec({
      name,
      image,
      env: toDockerEnv(content.env),
      labels: { ...labels, 'warp.release': String(release.seq) },
      replicas: content.replicas,
      constraints: nodeLabelConstraints(content.constraints),
      limits: resourceLimits(content.resources),
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
        updateService(deps.docker, existing.ID, existing.Version.Index, desired, auth),
      );
      updated = true;
    } else {
      id = await ctx.step(`Creating Swarm service ${name} (${content.replicas} replica(s))`, () =>
        createService(deps.docker, desired, auth),
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
    const images = pin ? pin.images : [await swarmImageRecord(deps, name, image)];
    if (!pin) await deps.releases.noteImages(release, images);
    ctx.log.info(`release #${release.seq}: ${images.map((i) => `${i.image} (${i.digest})`).join(', ')}`);
    const service = `http://${name}:${port}`;
    warnIfTunnelOffSwarm(settings, ctx.log, service);
    await publishOnSwarm(deps, ctx, row, service);
    await deps.releases.activate(release, { hostPort: null, composeProject: null });
    await setState(deps, row.id, {
      status: 'running',
      container_names: JSON.stringify([name]),
      images: projectImages(images),
    });
    await deps.releases.prune(row.id, ctx.log);
    ctx.log.info(`live at https://${row.hostname} (release #${release.seq})`);
    return {
      url: `https://${row.hostname}`,
      service: name,
      replicas: content.replicas,
      tasks: tasks.length,
      release: { id: release.id, seq: release.seq, strategy: 'rolling' },
    };
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
    if (release && !pin) await deps.releases.discard(release, ctx.log).catch(() => {});
    // A failed redeploy of a service that still runs stays "running": the status tells what runs.
    const still = await findService(deps.docker, name).catch(() => null);
    await setState(deps, row.id, { status: still ? 'running' : 'failed' });
    throw error;
  }
}
