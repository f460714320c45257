import type { ProjectRow } from '../../db/schema.js';
import type { PolicyException } from '../../domain/compose-policy.js';
import { SECOND_NS, type UpdatePacing } from '../../domain/swarm-spec.js';
import type { Compose } from '../../integrations/compose/compose-cli.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { StackCli } from '../../integrations/swarm/stack-cli.js';
import type { Clock } from '../../lib/clock.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { Publisher, RegistryAccess } from '../deploy/index.js';
import type { ReleaseBook } from '../releases/index.js';
import type { Settings } from '../settings/index.js';

/** The parts of a project's spec the Swarm flows read. */
export interface SwarmProjectSpec {
  containerPort?: number;
  env?: Record<string, string>;
  requestedName?: string | null;
  swarmService?: string;
  constraints?: Record<string, string>;
  resources?: { cpus?: number; memoryMb?: number };
  proxyService?: string;
  /** Compose: the service to publish the user chose, and the policy exceptions an admin granted. */
  service?: string;
  policy?: { allow: PolicyException[] };
}

/** Everything the Swarm flows use, passed explicitly. */
export interface SwarmDeps {
  /** The manager's Engine API (the panel's DOCKER_HOST). */
  docker: DockerClient;
  /** Compose, to resolve a project's model exactly as the single-host deploy does. */
  compose: () => Promise<Compose>;
  /** `docker stack deploy` and the build/push around it (detected on first use). */
  stack: () => Promise<StackCli>;
  publisher: Publisher;
  projectsRepo: ProjectsRepository;
  /** The project's spec with secrets (env) decrypted. */
  openSpec(row: ProjectRow): SwarmProjectSpec;
  settings: { get(): Promise<Settings> };
  /** Registry logins (for the nodes' pulls and the CLI's pushes) and the allowed-registries rule. */
  registries: RegistryAccess;
  /** Every successful Swarm deploy is a release too (strategy `rolling`). */
  releases: ReleaseBook;
  /** The panel's data dir: stack files are written under it, never into the user's folder. */
  dataDir: string;
  clock: Clock;
  /** How long a deploy may take to converge, and how long it must then stay put (tests shorten them). */
  gate?: { timeoutMs?: number; stableMs?: number };
}

/** Update the project row with a fresh `updated_at` (a new status clears the old reason). */
export async function setState(
  deps: Pick<SwarmDeps, 'projectsRepo' | 'clock'>,
  id: string,
  patch: Partial<Pick<ProjectRow, 'status' | 'container_names' | 'spec' | 'host_port' | 'images'>>,
): Promise<void> {
  const reason = patch.status !== undefined ? { status_reason: null } : {};
  await deps.projectsRepo.update(id, { ...reason, ...patch, updated_at: deps.clock.now().toISOString() });
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
