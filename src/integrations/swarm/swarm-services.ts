import type { ServiceSpec } from '../../domain/swarm-spec.js';
import type { DockerClient } from '../docker/docker-client.js';
import { hasStatus } from '../docker/docker-errors.js';
import type { RegistryAuth } from '../docker/registry-auth.js';

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

/**
 * Creates a service; resolves to its id. With `auth` (`X-Registry-Auth`) the manager hands the
 * registry login to the nodes that pull the image (as `docker service create --with-registry-auth`).
 */
export async function createService(
  docker: DockerClient,
  spec: ServiceSpec,
  auth?: RegistryAuth,
): Promise<string> {
  const made = await docker.call('create service', (d) =>
    auth
      ? (d.createService(auth as never, spec as never) as unknown as Promise<unknown>)
      : d.createService(spec as never),
  );
  return (made as unknown as { id?: string; ID?: string }).id ?? (made as { ID?: string }).ID ?? '';
}

/** Replaces a service's spec at `version` (a rolling update as its UpdateConfig says); `auth` as above. */
export async function updateService(
  docker: DockerClient,
  id: string,
  version: number,
  spec: ServiceSpec,
  auth?: RegistryAuth,
): Promise<void> {
  await docker.call(
    'update service',
    (d) =>
      d.getService(id).update({ _query: { version }, _body: spec, ...(auth ? { authconfig: auth } : {}) }),
    { what: `service ${id}` },
  );
}

/**
 * The registry's digest of `image` now (`GET /distribution/<image>/json`, as `docker service create`
 * resolves a tag so every node runs the same image), or null with the reason when the registry
 * cannot say (unreachable, no such image, no credentials).
 */
export async function registryDigest(
  docker: DockerClient,
  image: string,
  auth?: RegistryAuth,
): Promise<{ digest: string | null; reason: string | null }> {
  try {
    const info = (await docker.call(
      'inspect image in its registry',
      (d) => d.getImage(image).distribution(auth ? { authconfig: auth } : {}),
      { timeoutMs: 20_000, what: `image ${image}` },
    )) as { Descriptor?: { digest?: string } };
    const digest = info.Descriptor?.digest ?? null;
    return { digest, reason: digest ? null : 'the registry answered no digest' };
  } catch (err) {
    return { digest: null, reason: (err as Error).message };
  }
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
