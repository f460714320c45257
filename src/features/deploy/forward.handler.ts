import net from 'node:net';
import { z } from 'zod';
import type { ProjectRow } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import { defineJob } from '../jobs/index.js';
import type { PublishResult, TunnelJobContext } from '../tunnel/index.js';

/** Whether something accepts TCP connections on the host port (IPv4 or IPv6 loopback). */
export async function somethingListens(port: number, timeoutMs = 1_000): Promise<boolean> {
  const probe = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  return (await probe('127.0.0.1')) || (await probe('::1'));
}

/** The words a forward nobody answers gets, as its status reason and as its deploy's warning. */
export const nothingAnswers = (port: number): string => `published — nothing answers on port ${port} yet`;

/**
 * Job `forward`: publish `http://localhost:<port>` (a service already listening on the host, no
 * Docker) at the project's hostname. Nothing listening ends as a warning (project degraded): the
 * route is there, but a visitor would get an error until the service starts.
 */
export function forwardJob(deps: {
  projects: Pick<ProjectsRepository, 'findById' | 'update'>;
  tunnel: {
    publish(
      input: { projectId: string; hostname: string; service: string },
      ctx: TunnelJobContext,
    ): Promise<PublishResult>;
  };
  clock: Clock;
}) {
  const setStatus = (id: string, status: ProjectRow['status'], reason: string | null = null) =>
    deps.projects.update(id, { status, status_reason: reason, updated_at: deps.clock.now().toISOString() });

  return defineJob({
    type: 'forward',
    input: z.object({ projectId: z.uuid() }).strict(),
    async handler(ctx) {
      const project = await deps.projects.findById(ctx.input.projectId);
      if (!project || project.status === 'removed' || !project.hostname || !project.host_port) {
        throw notFound('forward project');
      }
      const port = project.host_port;
      await setStatus(project.id, 'deploying');
      try {
        const answers = await somethingListens(port);
        const service = `http://localhost:${port}`;
        const result = await deps.tunnel.publish(
          { projectId: project.id, hostname: project.hostname, service },
          ctx,
        );
        const outcome = { url: result.url, service, dns: result.dns, restarted: result.restarted };
        if (!answers) {
          // Published, but a visitor would get an error: a warning, not a green success.
          const warning = nothingAnswers(port);
          ctx.log.warn(`${warning}; ${result.url} works once something listens there`);
          await setStatus(project.id, 'degraded', warning);
          return { ...outcome, warning };
        }
        await setStatus(project.id, 'running');
        ctx.log.info(`${result.url} → ${service} is published`);
        return outcome;
      } catch (err) {
        await setStatus(project.id, 'failed');
        throw err;
      }
    },
  });
}
