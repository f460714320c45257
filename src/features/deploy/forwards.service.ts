import { conflict } from '../../domain/errors.js';
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

/** Forwards: publish a service that already listens on a host port (project kind `forward`, job `forward`). */
export function createForwardsService(deps: {
  projects: Pick<ProjectsService, 'create'>;
  projectsRepo: Pick<ProjectsRepository, 'findById' | 'listActive'>;
  reservations: Pick<PortReservationsRepository, 'get'>;
  tunnel: { assertNotHandWritten(subdomain: string): Promise<string> };
}) {
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
