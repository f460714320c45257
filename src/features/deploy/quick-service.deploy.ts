import type Docker from 'dockerode';
import type { ProjectRow } from '../../db/schema.js';
import { quickStrategy } from '../../domain/compose/index.js';
import { toDockerEnv } from '../../domain/env-vars.js';
import { LABEL_PROJECT, managedLabels } from '../../integrations/docker/docker-labels.js';
import { imageIdentity } from '../../integrations/docker/release-images.js';
import { parseJson } from '../../lib/json.js';
import type { JobContext } from '../jobs/index.js';
import type { Release } from '../releases/index.js';
import { containersByLabel, createNamedContainer, lastLogLines, removeContainer } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { logImageChange, prepareImage, type ResolvedImage } from './image-prepare.js';
import { previousName } from './previous-container.js';
import { reserveFreshPort, reserveProjectPort, setProjectState, wasDeployed } from './project-state.js';
import type { ProjectImage } from './projects.view.js';
import { pinnedImage, type QuickContent, volumeBinds } from './quick-release.js';
import { goLive } from './release-switch.js';
import { createUndoStack, type UndoStack } from './undo-stack.js';

const nameOf = (c: Docker.ContainerInfo) => c.Names[0]?.replace(/^\//, '') ?? c.Id;

/**
 * Existing containers of the project on this host (the live release's, or leftovers of a failed
 * attempt). Containers of its Swarm tasks carry the project's label too: they are not the host's.
 */
export async function projectContainers(
  deps: Pick<DeployDeps, 'docker'>,
  projectId: string,
): Promise<Docker.ContainerInfo[]> {
  const all = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${projectId}`] } }),
  );
  return all.filter((c) => !c.Labels?.[SWARM_TASK_LABEL]);
}

/** Set on every container Swarm runs for a task. */
export const SWARM_TASK_LABEL = 'com.docker.swarm.task.id';

/** Stop-then-start: the old container stops and steps aside (renamed) until the new one passed. */
async function stopAside(deps: DeployDeps, ctx: JobContext, old: Docker.ContainerInfo[], undo: UndoStack) {
  for (const c of old) {
    await ctx.step(`Stopping previous container ${nameOf(c)}`, async () => {
      await deps.docker.call('stop container', (d) => d.getContainer(c.Id).stop({ t: 10 })).catch(() => {});
      await deps.docker.call('rename container', (d) =>
        d.getContainer(c.Id).rename({ name: previousName(nameOf(c)) }),
      );
      undo.push(`previous container restored`, async () => {
        await deps.docker.call('rename', (d) => d.getContainer(c.Id).rename({ name: nameOf(c) }));
        await deps.docker.call('start', (d) => d.getContainer(c.Id).start());
      });
    });
  }
}

/**
 * Quick service: image → container (Init, unless-stopped, 127.0.0.1:<port>) → health gate → switch
 * the route → watch → running. A redeploy is blue/green: the new container starts beside the old one
 * on a fresh host port, takes the route once it answers, and the old one drains and goes. A database
 * image runs stop-then-start instead (one server per data directory). `pin` re-runs a release exactly
 * (a rollback). A failed attempt removes what it made; the old release keeps serving.
 */
export async function deployQuickService(
  deps: DeployDeps,
  ctx: JobContext,
  row: ProjectRow,
  pin: Release | null = null,
  /** A move from Swarm: what serves now, and where the route goes back if the new release falls over. */
  opts: { serving?: string } = {},
): Promise<unknown> {
  const spec = deps.projects.openSpec(row);
  const content: QuickContent = pin
    ? (pin.content as unknown as QuickContent)
    : {
        kind: 'quick',
        image: row.image!,
        containerPort: spec.containerPort ?? 80,
        env: spec.env ?? {},
        requestedName: spec.requestedName ?? null,
      };
  for (const value of Object.values(content.env)) ctx.addSecret(value);
  const settings = await deps.settings.get();
  const undo = createUndoStack(ctx.log);
  const redeploy = wasDeployed(row.status);
  const previousImage = parseJson<ProjectImage[]>(row.images, [])[0];
  const old = await projectContainers(deps, row.id);
  const live = await deps.releases.live(row.id);
  const decision = quickStrategy(content.image);
  const sideBySide = old.length > 0 && row.host_port !== null && decision.strategy === 'blue-green';
  if (old.length > 0) {
    ctx.log.info(
      sideBySide
        ? 'strategy: blue/green — the new release starts beside the running one and takes the route once it answers'
        : `strategy: stop-then-start — ${decision.reasons.join('; ')}`,
    );
  }
  let createdId: string | null = null;
  let switched = false;
  await setProjectState(deps, row.id, { status: 'deploying' });
  try {
    // The image first: a pull that fails leaves nothing behind and the live release keeps serving.
    const { image, resolved } = await ctx.step(
      `Preparing image ${content.image}`,
      async (): Promise<{ image: string; resolved: ResolvedImage | null }> => {
        if (pin) return { image: await pinnedImage(deps, ctx, pin, content.image), resolved: null };
        const got = await prepareImage(deps, ctx, content.image, { refresh: redeploy });
        return { image: content.image, resolved: got };
      },
    );
    if (resolved) logImageChange(ctx, previousImage, resolved);
    const identity = await imageIdentity(deps.docker, image, content.image);
    const release =
      pin ??
      (await deps.releases.begin({
        projectId: row.id,
        strategy: decision.strategy,
        commit: null,
        content: { ...content },
        hostPort: null,
        composeProject: null,
        jobId: ctx.job.id,
        actor: ctx.job.actor,
      }));
    if (!pin) {
      undo.push(`release #${release.seq} dropped`, () => deps.releases.discard(release, ctx.log));
      await deps.releases.recordImages(release, [
        { service: null, image: content.image, built: null, ...identity },
      ]);
    }
    ctx.log.info(`release #${release.seq}: ${content.image} (${identity.digest})`);
    const port = sideBySide
      ? await reserveFreshPort(deps, ctx, row, undo)
      : await reserveProjectPort(deps, ctx, row, undo);
    const binds: string[] = [];
    for (const c of old) binds.push(...(await volumeBinds(deps, c.Id)));
    if (!sideBySide) await stopAside(deps, ctx, old, undo);

    const oldName = old[0] ? nameOf(old[0]) : null;
    const created = await ctx.step('Creating container', async () => {
      const exposed = `${content.containerPort}/tcp`;
      const made = await createNamedContainer(
        deps.docker,
        {
          Image: image,
          Env: toDockerEnv(content.env),
          Labels: { ...managedLabels(row.id), 'warp.kind': 'quick', 'warp.release': String(release.seq) },
          ExposedPorts: { [exposed]: {} },
          HostConfig: {
            Init: true,
            RestartPolicy: { Name: 'unless-stopped' },
            PortBindings: { [exposed]: [{ HostIp: settings.ports.bindAddress, HostPort: String(port) }] },
            Binds: [...new Set(binds)],
          },
        },
        // Beside the old one the new container gets a free name; it takes the old name once that is gone.
        sideBySide ? null : (content.requestedName ?? oldName),
        oldName ?? content.requestedName ?? undefined,
      );
      createdId = made.id;
      // With the anonymous volumes it made (named ones it re-mounted from the previous container stay).
      undo.push(`container ${made.name} removed with its new volumes`, () =>
        removeContainer(deps.docker, made.id, true),
      );
      ctx.log.info(
        `container ${made.name} (${made.id.slice(0, 12)}) publishes ${settings.ports.bindAddress}:${port} → ${content.containerPort}`,
      );
      return made;
    });
    await ctx.step('Starting container', () =>
      deps.docker.call('start container', (d) => d.getContainer(created.id).start()),
    );
    const containers = async () =>
      (await containersByLabel(deps.docker, `${LABEL_PROJECT}=${row.id}`)()).filter(
        (c) => c.name === created.name,
      );
    await goLive(deps, ctx, {
      row,
      port,
      containers,
      fallback: opts.serving
        ? { kind: 'route-back', service: opts.serving }
        : sideBySide
          ? { kind: 'route-back', service: `http://localhost:${row.host_port}` }
          : old.length > 0
            ? { kind: 'none' }
            : { kind: 'unpublish' },
      drains: sideBySide,
      onLive: async () => {
        switched = true;
        await deps.releases.activate(release, { hostPort: port, composeProject: null });
        await setProjectState(deps, row.id, {
          host_port: port,
          container_names: JSON.stringify([created.name]),
        });
      },
      onCanceledLive: () => undo.clear(),
      onFallOver: async () => {
        await deps.releases.restoreLive(row.id, live, release);
        await setProjectState(deps, row.id, {
          host_port: row.host_port,
          container_names: row.container_names,
        });
      },
    });
    undo.clear();
    let finalName = created.name;
    for (const c of old) {
      await ctx
        .step(`Removing the previous container ${nameOf(c)}`, () => removeContainer(deps.docker, c.Id))
        .catch((e: Error) => ctx.log.warn(`could not remove the previous container: ${e.message}`));
    }
    if (sideBySide) {
      await deps.ports.release(row.host_port!);
      ctx.log.info(`released the previous port ${row.host_port}`);
      if (oldName && oldName !== created.name) {
        await deps.docker
          .call('rename container', (d) => d.getContainer(created.id).rename({ name: oldName }))
          .then(() => {
            finalName = oldName;
          })
          .catch((e: Error) =>
            ctx.log.warn(`the new container keeps the name ${created.name}: ${e.message}`),
          );
      }
    }
    const ran = {
      image: content.image,
      digest: resolved ? resolved.digest : identity.digest === identity.imageId ? null : identity.digest,
      imageId: identity.imageId,
    };
    await setProjectState(deps, row.id, {
      status: 'running',
      host_port: port,
      container_names: JSON.stringify([finalName]),
      images: JSON.stringify([{ service: finalName, ...ran }] satisfies ProjectImage[]),
    });
    await deps.releases.prune(row.id, ctx.log);
    ctx.log.info(`live at https://${row.hostname} (release #${release.seq})`);
    return {
      url: `https://${row.hostname}`,
      hostPort: port,
      container: finalName,
      image: ran,
      release: { id: release.id, seq: release.seq, strategy: sideBySide ? 'blue-green' : 'stop-start' },
    };
  } catch (error) {
    if (createdId) {
      const lines = await lastLogLines(deps.docker, createdId).catch(() => []);
      if (lines.length > 0) ctx.log.error(`last lines of the container's log:\n${lines.join('\n')}`);
    }
    await undo.run();
    if (sideBySide && !switched)
      ctx.log.warn(
        `the new release never received traffic; the previous release keeps serving on port ${row.host_port}`,
      );
    await setProjectState(deps, row.id, {
      status: redeploy && (await projectContainers(deps, row.id)).length > 0 ? 'running' : 'failed',
    });
    throw error;
  }
}
