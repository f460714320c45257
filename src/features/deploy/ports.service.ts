import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.js';
import { conflict, validationError } from '../../domain/errors.js';
import { isValidPort, type PortRange } from '../../domain/port-range.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { publishedHostPorts } from '../../integrations/docker/published-ports.js';
import { listeningPorts } from '../../integrations/host/listening-ports.js';
import { bindTestPasses } from '../../integrations/host/port-probe.js';
import type { Clock } from '../../lib/clock.js';
import type { PortReservationsRepository } from '../../repositories/port-reservations.repository.js';

/** Who a port is reserved for. */
export interface ReservationOwner {
  projectId: string | null;
  jobId?: string | null;
}

/** How the host is probed; injectable so the search rules can be tested without real sockets. */
export interface HostPortProbe {
  listening(): Promise<Set<number>>;
  bindable(port: number): Promise<boolean>;
}

const realProbe: HostPortProbe = { listening: listeningPorts, bindable: bindTestPasses };

/**
 * Free host ports for deploys, with deploy.sh's `find_free_port` rules: the first port of the
 * configured range that no host socket listens on (/proc/net/tcp{,6} LISTEN + a bind test on
 * 127.0.0.1 and 0.0.0.0), that no container publishes (stopped ones too: they come back on start),
 * and that no one has reserved. The claim itself is the insert under the unique key, so concurrent
 * callers never get the same port: a lost race moves on to the next candidate.
 */
export function createPortsService(deps: {
  reservations: PortReservationsRepository;
  docker: DockerClient;
  settings: { get(): Promise<{ ports: PortRange }> };
  clock: Clock;
  log: Logger;
  probe?: HostPortProbe;
}) {
  const probe = deps.probe ?? realProbe;
  const published = publishedHostPorts(deps.docker);
  const row = (port: number, owner: ReservationOwner) => ({
    port,
    project_id: owner.projectId,
    job_id: owner.jobId ?? null,
    created_at: deps.clock.now().toISOString(),
  });

  async function takenPorts(): Promise<Set<number>> {
    const [host, containers, reserved] = await Promise.all([
      probe.listening(),
      published(),
      deps.reservations.list(),
    ]);
    const taken = new Set([...host, ...containers]);
    for (const r of reserved) taken.add(r.port);
    return taken;
  }

  return {
    /**
     * Reserve the first free port of the range for `owner`. A project that already holds a port gets
     * that port back (a retried deploy converges), unless it asks for `another`. Inside a repositories transaction the claim joins it. Throws CONFLICT when the range is exhausted.
     */
    async reserve(owner: ReservationOwner, opts: { another?: boolean } = {}): Promise<number> {
      // `another`: a second port for the project (a blue/green release starts beside the live one).
      if (owner.projectId && !opts.another) {
        const held = await deps.reservations.byProject(owner.projectId);
        if (held[0]) return held[0].port;
      }
      const range = (await deps.settings.get()).ports;
      const taken = await takenPorts();
      for (let port = range.start; port <= range.end; port++) {
        if (taken.has(port) || !(await probe.bindable(port))) continue;
        if (await deps.reservations.tryInsert(row(port, owner))) {
          deps.log.info({ port, projectId: owner.projectId, jobId: owner.jobId }, 'port reserved');
          return port;
        }
      }
      throw conflict(`no free port in the range ${range.start}-${range.end}`);
    },

    /** The port `reserve` would hand out now, without reserving it (dry runs). */
    async peek(): Promise<number> {
      const range = (await deps.settings.get()).ports;
      const taken = await takenPorts();
      for (let port = range.start; port <= range.end; port++) {
        if (!taken.has(port) && (await probe.bindable(port))) return port;
      }
      throw conflict(`no free port in the range ${range.start}-${range.end}`);
    },

    /**
     * Reserve a given port (a redeploy that keeps its port). Only reservations are checked: the
     * project's own container is usually the one listening. Reserved by another owner → CONFLICT.
     */
    async reserveSpecific(port: number, owner: ReservationOwner) {
      if (!isValidPort(port))
        throw validationError('invalid port', [{ path: 'port', message: 'must be 1-65535' }]);
      for (let attempt = 0; attempt < 2; attempt++) {
        const existing = await deps.reservations.get(port);
        if (existing) {
          if (existing.project_id !== null && existing.project_id === owner.projectId) return port;
          throw conflict(`port ${port} is already reserved by another project`);
        }
        if (await deps.reservations.tryInsert(row(port, owner))) return port;
      }
      throw conflict(`port ${port} is already reserved by another project`);
    },

    /** Release one port, or every port of a project. Returns how many reservations went. */
    async release(target: number | { projectId: string }): Promise<number> {
      return typeof target === 'number'
        ? deps.reservations.deletePort(target)
        : deps.reservations.deleteProject(target.projectId);
    },

    /** The ports a project holds (two while a blue/green release starts beside the live one). */
    heldBy: async (projectId: string): Promise<number[]> =>
      (await deps.reservations.byProject(projectId)).map((r) => r.port),

    /** Ports currently taken by any of the rules (for diagnostics and tests). */
    takenPorts,
  };
}

/** The free-port service deploy flows use. */
export type PortsService = ReturnType<typeof createPortsService>;
