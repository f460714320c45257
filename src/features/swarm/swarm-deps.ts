import type { ProjectRow } from '../../db/schema.js';
import { SECOND_NS, type UpdatePacing } from '../../domain/swarm-spec.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { StackCli } from '../../integrations/swarm/stack-cli.js';
import type { Clock } from '../../lib/clock.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { Publisher } from '../deploy/index.js';
import type { Settings } from '../settings/index.js';

/** The parts of a project's spec the Swarm flows read. */
export interface SwarmProjectSpec {
  containerPort?: number;
  env?: Record<string, string>;
  swarmService?: string;
  constraints?: Record<string, string>;
  resources?: { cpus?: number; memoryMb?: number };
  proxyService?: string;
}

/** Everything the Swarm flows use, passed explicitly. */
export interface SwarmDeps {
  /** The manager's Engine API (the panel's DOCKER_HOST). */
  docker: DockerClient;
  /** `docker stack deploy` and the compose commands around it (detected on first use). */
  stack: () => Promise<StackCli>;
  publisher: Publisher;
  projectsRepo: ProjectsRepository;
  /** The project's spec with secrets (env) decrypted. */
  openSpec(row: ProjectRow): SwarmProjectSpec;
  settings: { get(): Promise<Settings> };
  clock: Clock;
  /** How long a deploy may take to converge, and how long it must then stay put (tests shorten them). */
  gate?: { timeoutMs?: number; stableMs?: number };
}

/** Update the project row with a fresh `updated_at`. */
export async function setState(
  deps: Pick<SwarmDeps, 'projectsRepo' | 'clock'>,
  id: string,
  patch: Partial<Pick<ProjectRow, 'status' | 'container_names' | 'spec' | 'host_port'>>,
): Promise<void> {
  await deps.projectsRepo.update(id, { ...patch, updated_at: deps.clock.now().toISOString() });
}

/** Rolling-update pacing from the settings. */
export const pacingOf = (s: Settings): UpdatePacing => ({
  delayNs: s.swarm.updateDelaySeconds * SECOND_NS,
  monitorNs: s.swarm.updateMonitorSeconds * SECOND_NS,
});

/** A Go duration for stack files (`5s`). */
export const seconds = (n: number): string => `${n}s`;

/** A job-log warning when the tunnel's connectors are not on the Swarm (they could not resolve `service`). */
export function warnIfTunnelOffSwarm(s: Settings, log: { warn(text: string): void }, service: string): void {
  if (s.tunnel.mode === 'local' && s.tunnel.restart.mode !== 'swarm') {
    log.warn(
      `cloudflared does not run on the Swarm (tunnel restart "${s.tunnel.restart.mode}"): it must reach ${service} on the ${s.swarm.network} network — set the tunnel restart to swarm:<service> to run it there`,
    );
  }
}
