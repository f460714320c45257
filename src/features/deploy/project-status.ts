import type Docker from 'dockerode';
import type { ProjectRow } from '../../db/schema.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import {
  containerName,
  LABEL_COMPOSE_PROJECT,
  LABEL_PROJECT,
} from '../../integrations/docker/docker-labels.js';
import { isPreviousName } from './previous-container.js';

/** A project's status as its containers tell it, and why in words. */
export interface ObservedStatus {
  status: Extract<ProjectRow['status'], 'running' | 'degraded' | 'stopped' | 'missing'>;
  reason: string | null;
  names: string[];
}

/** The engine label that finds a project's containers: compose's project label, else the panel's. */
export const containerLabelOf = (row: Pick<ProjectRow, 'id' | 'kind' | 'compose_project'>): string =>
  row.kind !== 'quick' && row.compose_project
    ? `${LABEL_COMPOSE_PROJECT}=${row.compose_project}`
    : `${LABEL_PROJECT}=${row.id}`;

/** Pure: the status a set of containers means (none → missing, all up → running, none up → stopped). */
export function statusOfContainers(
  containers: Pick<Docker.ContainerInfo, 'Names' | 'State'>[],
): ObservedStatus {
  // A previous container kept during a redeploy (renamed `*-warp-previous-*`) is not the project's.
  const own = containers.filter((c) => !isPreviousName(containerName(c.Names)));
  const names = own.map((c) => containerName(c.Names)).sort();
  if (own.length === 0) return { status: 'missing', reason: 'its containers are gone', names };
  const down = own.filter((c) => c.State !== 'running');
  if (down.length === 0) return { status: 'running', reason: null, names };
  if (down.length === own.length) {
    return {
      status: 'stopped',
      reason: `${describe(down)} ${down.length === 1 ? 'is' : 'are'} stopped`,
      names,
    };
  }
  return {
    status: 'degraded',
    reason: `${down.length} of ${own.length} containers ${down.length === 1 ? 'is' : 'are'} not running: ${describe(down)}`,
    names,
  };
}

const describe = (list: Pick<Docker.ContainerInfo, 'Names' | 'State'>[]) =>
  list.map((c) => `${containerName(c.Names)} (${c.State})`).join(', ');

/** Read a project's containers from the engine and say what status they mean. */
export async function observeProject(
  docker: DockerClient,
  row: Pick<ProjectRow, 'id' | 'kind' | 'compose_project'>,
): Promise<ObservedStatus> {
  const list = await docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [containerLabelOf(row)] } }),
  );
  return statusOfContainers(list);
}
