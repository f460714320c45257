import type Docker from 'dockerode';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { containerName } from '../../integrations/docker/docker-labels.js';
import { removeContainer } from './container-ops.js';

const PREVIOUS = /-previous-[a-z0-9]+$/;

/** Whether a container is one a redeploy set aside (`<name>-previous-<time>`). */
export const isPreviousName = (name: string): boolean => PREVIOUS.test(name);

/** The name a redeploy gives the container it replaces until the new one passed the health gate. */
export const previousName = (name: string): string => `${name}-previous-${Date.now().toString(36)}`;

/**
 * Put back what a redeploy cut off mid-way replaced: remove the half-made new container(s), give each
 * previous container its name back and start it. Returns how many previous containers run again
 * (0 when there was none to restore).
 */
export async function restorePreviousContainers(
  docker: DockerClient,
  containers: Docker.ContainerInfo[],
): Promise<number> {
  const previous = containers.filter((c) => PREVIOUS.test(containerName(c.Names)));
  if (previous.length === 0) return 0;
  for (const c of containers.filter((x) => !previous.includes(x))) await removeContainer(docker, c.Id);
  for (const c of previous) {
    const name = containerName(c.Names).replace(PREVIOUS, '');
    await docker.call('rename container', (d) => d.getContainer(c.Id).rename({ name }));
    await docker.call('start container', (d) => d.getContainer(c.Id).start());
  }
  return previous.length;
}
