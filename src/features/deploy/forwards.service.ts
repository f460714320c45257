import { conflict, forbidden } from '../../domain/errors.js';

import { parseSubdomain } from '../../domain/subdomain.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { PortReservationsRepository } from '../../repositories/port-reservations.repository.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { ProjectsService } from './projects.service.js';

/** `POST /api/v1/forwards` body (after schema parsing). */
export interface ForwardRequest {
  port: number;
  subdomain: string;
  name?: string | undefined;
}

/** Ports nobody publishes: the Docker API (2375/2376) and cloudflared's metrics server (20241-20245). */
const NEVER_FORWARDED: readonly [number, number, string][] = [
  [2375, 2376, 'the Docker engine API'],
  [20241, 20245, "cloudflared's metrics server"],
];

/** Whether `port` is inside one of `ranges` (`3000` or `3000-3999`). */
export function portAllowed(port: number, ranges: readonly string[]): boolean {
  return ranges.some((r) => {
    const [a, b = a] = r.split('-').map(Number);
    return a !== undefined && b !== undefined && port >= a && port <= b;
  });
}

/** Forwards: publish a service that already listens on a host port (project kind `forward`, job `forward`). */
export function createForwardsService(deps: {
  projects: Pick<ProjectsService, 'create'>;
  projectsRepo: Pick<ProjectsRepository, 'findById' | 'listActive'>;
  reservations: Pick<PortReservationsRepository, 'get'>;
  tunnel: { assertNotHandWritten(subdomain: string): Promise<string> };
  /** The panel's own listening port, which is never forwarded. */
  panelPort: number;
  settings: { get(): Promise<{ forwards: { allowedPorts: string[] } }> };
}) {
  /** An admin may forward any port but the panel's own and the engine's; an operator only allowed ones. */
  async function assertForwardable(ctx: RequestContext, port: number): Promise<void> {
    if (port === deps.panelPort) {
      throw forbidden(`port ${port} is the panel itself; it cannot be forwarded`);
    }
    for (const [from, to, what] of NEVER_FORWARDED) {
      if (port >= from && port <= to) throw forbidden(`port ${port} is ${what}; it is never forwarded`);
    }
    if (ctx.actor?.role === 'admin') return;
    const { allowedPorts } = (await deps.settings.get()).forwards;
    if (!portAllowed(port, allowedPorts)) {
      throw forbidden(
        allowedPorts.length === 0
          ? 'forwarding host ports is for admins; an admin can allow ports in settings (forwards)'
          : `port ${port} is not among the ports an admin allowed for forwards (${allowedPorts.join(', ')})`,
      );
    }
  }

  /** 409 when another live project owns the port (its container publishes it, or another forward does). */
  async function assertFree(port: number, selfId: string | null): Promise<void> {
    const reserved = await deps.reservations.get(port);
    const byReservation = reserved?.project_id
      ? await deps.projectsRepo.findById(reserved.project_id)
      : undefined;
    const owner =
      (byReservation && byReservation.status !== 'removed' ? byReservation : undefined) ??
      (await deps.projectsRepo.listActive()).find((p) => p.host_port === port);
    if (owner && owner.id !== selfId) {
      throw conflict(`port ${port} belongs to project ${owner.name}; forward a port no project owns`, [
        { path: 'port', message: `owned by project ${owner.name}`, projectId: owner.id },
      ]);
    }
  }

  return {
    assertFree,
    /** Validates, refuses a routed subdomain or an owned port (409, no job), then creates the project and queues its job. */
    async create(ctx: RequestContext, body: ForwardRequest) {
      await assertForwardable(ctx, body.port);
      const subdomain = parseSubdomain(body.subdomain);
      await assertFree(body.port, null);
      await deps.tunnel.assertNotHandWritten(subdomain);
      return deps.projects.create(
        ctx,
        { name: body.name ?? subdomain, kind: 'forward', subdomain, hostPort: body.port, spec: {} },
        { type: 'forward', input: {} },
      );
    },
  };
}

/** The forwards service. */
export type ForwardsService = ReturnType<typeof createForwardsService>;
