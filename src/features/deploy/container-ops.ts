import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { conflict } from '../../domain/errors.js';
import { inferContainerName, nextFreeName } from '../../domain/image-reference.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { hasStatus } from '../../integrations/docker/docker-errors.js';
import { containerName } from '../../integrations/docker/docker-labels.js';
import type { ContainerHealth } from './health-gate.js';

/** Names of every container (stopped ones too): a new name must not collide with any. */
export async function takenContainerNames(docker: DockerClient): Promise<Set<string>> {
  const all = await docker.call('list containers', (d) => d.listContainers({ all: true }));
  return new Set(all.map((c) => containerName(c.Names)));
}

/**
 * Create a container named after the image (or `requested`), suffixing `-2`, `-3`… while the name
 * is taken; a name taken between listing and creating (a concurrent deploy) moves on to the next one.
 */
export async function createNamedContainer(
  docker: DockerClient,
  spec: Docker.ContainerCreateOptions & { Image: string },
  requested: string | null,
  /** Name to suffix when none is requested (default: inferred from the image). */
  baseName?: string,
): Promise<{ id: string; name: string }> {
  const base = requested ?? baseName ?? inferContainerName(spec.Image);
  // Names the engine refused although the list did not show them (taken meanwhile, or held by a
  // container being removed): never tried twice.
  const refused = new Set<string>();
  for (let attempt = 0; attempt < 20; attempt++) {
    const taken = await takenContainerNames(docker);
    if (requested && taken.has(requested)) throw conflict(`a container named ${requested} already exists`);
    const name = requested ?? nextFreeName(base, new Set([...taken, ...refused]));
    try {
      const container = await docker.call('create container', (d) => d.createContainer({ ...spec, name }));
      return { id: container.id, name };
    } catch (error) {
      if ((error as { code?: string }).code !== 'CONFLICT' || requested) throw error;
      refused.add(name);
    }
  }
  throw conflict(`could not find a free container name for ${base}`);
}

/**
 * Force-remove a container; already gone is fine. Cleanup must not leave an orphan because the engine
 * was briefly away (a daemon restart): while it is unreachable, this keeps trying for `patienceMs`.
 */
export async function removeContainer(
  docker: DockerClient,
  id: string,
  removeVolumes = false,
  patienceMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await docker.call('remove container', (d) =>
        d.getContainer(id).remove({ force: true, v: removeVolumes }),
      );
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'NOT_FOUND') return;
      if (code !== 'UPSTREAM_ERROR' || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}

/** State of the containers with a label, for the health gate. */
export function containersByLabel(docker: DockerClient, label: string): () => Promise<ContainerHealth[]> {
  return async () => {
    const list = await docker.call('list containers', (d) =>
      d.listContainers({ all: true, filters: { label: [label] } }),
    );
    return Promise.all(
      list.map(async (c) => {
        const info = await docker.call('inspect container', (d) => d.getContainer(c.Id).inspect());
        return {
          name: containerName(c.Names),
          state: info.State.Status,
          restartCount: info.RestartCount,
          health: info.State.Health?.Status ?? null,
        };
      }),
    );
  };
}

/** The last lines a container printed, for a failed job's log. */
export async function lastLogLines(docker: DockerClient, id: string, tail = 30): Promise<string[]> {
  const buf = await docker.call('container logs', (d) =>
    d.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false }),
  );
  const { parseLogBuffer } = await import('../../integrations/docker/log-demux.js');
  const info = await docker.call('inspect container', (d) => d.getContainer(id).inspect());
  return parseLogBuffer(buf as unknown as Buffer, { tty: info.Config.Tty, timestamps: false }).map(
    (l) => l.text,
  );
}

export { hasStatus };
