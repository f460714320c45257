import type { ServiceSpec } from '../../domain/swarm-spec.js';
import type { DockerClient } from '../docker/docker-client.js';
import { hasStatus } from '../docker/docker-errors.js';

/** A service as `GET /services/{id}` returns it (the parts the panel reads). */
export interface ServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec & {
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: Record<string, unknown>;
  };
  PreviousSpec?: unknown;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
}

/** A task as `GET /tasks` returns it (the parts the panel reads). */
export interface TaskInfo {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState: string;
  CreatedAt: string;
  UpdatedAt: string;
  Spec?: Record<string, unknown>;
  Status: {
    State: string;
    Message?: string;
    Err?: string;
    Timestamp?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

/** Services carrying every one of these labels (`key=value`); every service when none is given. */
export async function servicesByLabel(docker: DockerClient, labels: string[]): Promise<ServiceInfo[]> {
  const options = labels.length > 0 ? { filters: { label: labels } } : {};
  return (await docker.call('list services', (d) =>
    d.listServices(options as object),
  )) as unknown as ServiceInfo[];
}

/** The service named (or with the id) `ref`, or null when there is none. */
export async function findService(docker: DockerClient, ref: string): Promise<ServiceInfo | null> {
  try {
    return (await docker.call('inspect service', (d) => d.getService(ref).inspect())) as ServiceInfo;
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND' || hasStatus(err, 404)) return null;
    throw err;
  }
}

/** Creates a service; resolves to its id. */
export async function createService(docker: DockerClient, spec: ServiceSpec): Promise<string> {
  const made = await docker.call('create service', (d) => d.createService(spec as never));
  return (made as unknown as { id?: string; ID?: string }).id ?? (made as { ID?: string }).ID ?? '';
}

/** Replaces a service's spec at `version` (a rolling update as its UpdateConfig says). */
export async function updateService(
  docker: DockerClient,
  id: string,
  version: number,
  spec: ServiceSpec,
): Promise<void> {
  await docker.call('update service', (d) => d.getService(id).update({ _query: { version }, _body: spec }), {
    what: `service ${id}`,
  });
}

/** Rolls a service back to its previous spec (`rollback=previous`). */
export async function rollbackService(docker: DockerClient, service: ServiceInfo): Promise<void> {
  await docker.call(
    'roll back service',
    (d) =>
      d.getService(service.ID).update({
        _query: { version: service.Version.Index, rollback: 'previous' },
        _body: service.Spec,
      }),
    { what: `service ${service.ID}` },
  );
}

/** Removes a service (its tasks stop on every node); a service already gone is fine. */
export async function removeService(docker: DockerClient, id: string): Promise<void> {
  try {
    await docker.call('remove service', (d) => d.getService(id).remove());
  } catch (err) {
    if ((err as { code?: string }).code !== 'NOT_FOUND' && !hasStatus(err, 404)) throw err;
  }
}

/** Tasks of these services (all states, the history Swarm keeps included). */
export async function tasksOf(docker: DockerClient, serviceIds: string[]): Promise<TaskInfo[]> {
  if (serviceIds.length === 0) return [];
  return (await docker.call('list tasks', (d) =>
    d.listTasks({ filters: { service: serviceIds } }),
  )) as TaskInfo[];
}
