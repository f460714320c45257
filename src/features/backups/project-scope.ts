import type { DockerClient } from '../../integrations/docker/docker-client.js';

/** One container of a project as backups see it. */
export interface ScopeContainer {
  id: string;
  name: string;
  /** Compose service name, else the container name (quick services). */
  service: string;
  image: string;
  running: boolean;
  createdAt: string;
  env: Record<string, string>;
  /** Named volumes it mounts. */
  volumes: string[];
}

/** The project's containers and volumes (by the panel's labels and database mapping only). */
export interface ProjectScope {
  containers: ScopeContainer[];
  volumes: string[];
}

/** The part of the containers feature backups use. */
export interface ContainerLister {
  list(q: { projectId: string; state: 'all' }): Promise<{
    items: { id: string; name: string; state: string }[];
    volumes?: { name: string }[];
  }>;
}

const COMPOSE_SERVICE = 'com.docker.compose.service';

function parseEnv(list: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list ?? []) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/** Read the project's containers (inspected: env, mounts, service) and volumes. */
export async function projectScope(
  deps: { docker: DockerClient; containers: ContainerLister },
  projectId: string,
): Promise<ProjectScope> {
  const listed = await deps.containers.list({ projectId, state: 'all' });
  const containers: ScopeContainer[] = [];
  for (const item of listed.items) {
    const info = await deps.docker.call('inspect container', (d) => d.getContainer(item.id).inspect(), {
      what: `container ${item.name}`,
    });
    containers.push({
      id: info.Id,
      name: item.name,
      service: info.Config?.Labels?.[COMPOSE_SERVICE] ?? item.name,
      image: info.Config?.Image ?? '',
      running: info.State?.Running === true,
      createdAt: info.Created,
      env: parseEnv(info.Config?.Env),
      volumes: (info.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name as string),
    });
  }
  containers.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { containers, volumes: (listed.volumes ?? []).map((v) => v.name) };
}

/** The running container of a service (a replica if there are several), else any container of it. */
export const containerOf = (scope: ProjectScope, service: string): ScopeContainer | undefined =>
  scope.containers.find((c) => c.service === service && c.running) ??
  scope.containers.find((c) => c.service === service);
