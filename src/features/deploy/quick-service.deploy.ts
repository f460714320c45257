import type Docker from 'dockerode';
import type { ProjectRow } from '../../db/schema.js';
import { toDockerEnv } from '../../domain/env-vars.js';
import { LABEL_PROJECT, managedLabels } from '../../integrations/docker/docker-labels.js';
import { parseJson } from '../../lib/json.js';
import type { JobContext } from '../jobs/index.js';
import { containersByLabel, createNamedContainer, lastLogLines, removeContainer } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { runHealthGate } from './health-gate.js';
import { logImageChange, prepareImage } from './image-prepare.js';
import { previousName } from './previous-container.js';
import { reserveProjectPort, setProjectState, wasDeployed } from './project-state.js';
import type { ProjectImage } from './projects.view.js';
import { publishProject } from './publish-project.js';
import { createUndoStack } from './undo-stack.js';

/** Existing containers of the project (a redeploy's old one, or leftovers of a failed attempt). */
async function projectContainers(deps: DeployDeps, projectId: string): Promise<Docker.ContainerInfo[]> {
  return deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${projectId}`] } }),
  );
}

/** Volumes of an old container, mounted again at the same places so a re-created container keeps its data. */
async function volumeBinds(deps: DeployDeps, id: string): Promise<string[]> {
  const info = await deps.docker.call('inspect container', (d) => d.getContainer(id).inspect());
  return (info.Mounts ?? [])
    .filter((m) => m.Type === 'volume' && m.Name)
    .map((m) => `${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
}

/**
 * Quick service: image → port → container (Init, unless-stopped, 127.0.0.1:<port>) → start → health
 * gate → publish → running. "Run container first, then update ingress to the selected port." A failed
 * attempt removes what it created; a redeploy keeps the old container until the new one passed.
 * The image comes first: a pull that fails (unknown image or tag, unauthorized, unreachable, stalled,
 * canceled) leaves nothing behind, and on a redeploy the old container keeps running. A redeploy
 * always re-creates the container (so changed settings apply) and logs whether the image changed.
 */
export async function deployQuickService(
  deps: DeployDeps,
  ctx: JobContext,
  row: ProjectRow,
): Promise<unknown> {
  const spec = deps.projects.openSpec(row);
  for (const value of Object.values(spec.env ?? {})) ctx.addSecret(value);
  const image = row.image!;
  const containerPort = spec.containerPort ?? 80;
  const settings = await deps.settings.get();
  const undo = createUndoStack(ctx.log);
  const redeploy = wasDeployed(row.status);
  let createdId: string | null = null;
  await setProjectState(deps, row.id, { status: 'deploying' });
  const previousImage = parseJson<ProjectImage[]>(row.images, [])[0];
  try {
    const resolved = await ctx.step(`Preparing image ${image}`, () =>
      prepareImage(deps, ctx, image, { refresh: redeploy }),
    );
    logImageChange(ctx, previousImage, resolved);
    const port = await reserveProjectPort(deps, ctx, row, undo);

    const old = await projectContainers(deps, row.id);
    const binds: string[] = [];
    for (const c of old) {
      await ctx.step(`Stopping previous container ${c.Names[0]?.replace(/^\//, '')}`, async () => {
        binds.push(...(await volumeBinds(deps, c.Id)));
        await deps.docker.call('stop container', (d) => d.getContainer(c.Id).stop({ t: 10 })).catch(() => {});
        // The old container goes only after the new one passed; until then it can come back.
        const oldName = previousName(c.Names[0]?.replace(/^\//, '') ?? c.Id);
        await deps.docker.call('rename container', (d) => d.getContainer(c.Id).rename({ name: oldName }));
        undo.push(`previous container restored`, async () => {
          await deps.docker.call('rename', (d) =>
            d.getContainer(c.Id).rename({ name: c.Names[0]!.replace(/^\//, '') }),
          );
          await deps.docker.call('start', (d) => d.getContainer(c.Id).start());
        });
      });
    }

    const created = await ctx.step('Creating container', async () => {
      const exposed = `${containerPort}/tcp`;
      const made = await createNamedContainer(
        deps.docker,
        {
          Image: image,
          Env: toDockerEnv(spec.env ?? {}),
          Labels: { ...managedLabels(row.id), 'warp.kind': 'quick' },
          ExposedPorts: { [exposed]: {} },
          HostConfig: {
            Init: true,
            RestartPolicy: { Name: 'unless-stopped' },
            PortBindings: { [exposed]: [{ HostIp: settings.ports.bindAddress, HostPort: String(port) }] },
            Binds: binds,
          },
        },
        spec.requestedName ?? (old[0]?.Names[0]?.replace(/^\//, '') || null),
      );
      createdId = made.id;
      // With the anonymous volumes it made (named ones it re-mounted from the previous container stay).
      undo.push(`container ${made.name} removed with its new volumes`, () =>
        removeContainer(deps.docker, made.id, true),
      );
      ctx.log.info(
        `container ${made.name} (${made.id.slice(0, 12)}) publishes ${settings.ports.bindAddress}:${port} → ${containerPort}`,
      );
      return made;
    });
    await ctx.step('Starting container', () =>
      deps.docker.call('start container', (d) => d.getContainer(created.id).start()),
    );
    await ctx.step(`Waiting for the app to answer on port ${port}`, () =>
      runHealthGate({
        port,
        containers: async () =>
          (await containersByLabel(deps.docker, `${LABEL_PROJECT}=${row.id}`)()).filter(
            (c) => c.name === created.name,
          ),
        log: ctx.log,
        signal: ctx.signal,
        ...deps.healthGate,
      }),
    );
    const service = `http://localhost:${port}`;
    await publishProject(deps, ctx, row, service);
    for (const c of old) {
      await removeContainer(deps.docker, c.Id).catch((e: Error) =>
        ctx.log.warn(`could not remove the previous container: ${e.message}`),
      );
    }
    undo.clear();
    await setProjectState(deps, row.id, {
      status: 'running',
      host_port: port,
      container_names: JSON.stringify([created.name]),
      images: JSON.stringify([
        { service: created.name, image, digest: resolved.digest, imageId: resolved.imageId },
      ] satisfies ProjectImage[]),
    });
    ctx.log.info(`live at https://${row.hostname}`);
    return {
      url: `https://${row.hostname}`,
      hostPort: port,
      container: created.name,
      image: { image, digest: resolved.digest, imageId: resolved.imageId },
    };
  } catch (error) {
    if (createdId) {
      const lines = await lastLogLines(deps.docker, createdId).catch(() => []);
      if (lines.length > 0) ctx.log.error(`last lines of the container's log:\n${lines.join('\n')}`);
    }
    await undo.run();
    await setProjectState(deps, row.id, {
      status: redeploy && (await projectContainers(deps, row.id)).length > 0 ? 'running' : 'failed',
    });
    throw error;
  }
}
