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

/**
 * Job `forward`: publish `http://localhost:<port>` (a service already listening on the host, no
 * Docker) at the project's hostname. Nothing listening is only a warning: the service may start later.
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
  const setStatus = (id: string, status: ProjectRow['status']) =>
    deps.projects.update(id, { status, updated_at: deps.clock.now().toISOString() });

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
        if (!(await somethingListens(port))) {
          ctx.log.warn(
            `nothing listens on port ${port} yet; the route is published anyway and works once it does`,
          );
        }
        const service = `http://localhost:${port}`;
        const result = await deps.tunnel.publish(
          { projectId: project.id, hostname: project.hostname, service },
          ctx,
        );
        await setStatus(project.id, 'running');
        ctx.log.info(`${result.url} → ${service} is published`);
        return { url: result.url, service, dns: result.dns, restarted: result.restarted };
      } catch (err) {
        await setStatus(project.id, 'failed');
        throw err;
      }
    },
  });
}
