import { parseSubdomain } from '../../domain/subdomain.js';
import type { RequestContext } from '../../lib/request-context.js';
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
  tunnel: { assertNotHandWritten(subdomain: string): Promise<string> };
}) {
  return {
    /** Validates, refuses a routed subdomain (409, no job), then creates the project and queues its job. */
    async create(ctx: RequestContext, body: ForwardRequest) {
      const subdomain = parseSubdomain(body.subdomain);
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
