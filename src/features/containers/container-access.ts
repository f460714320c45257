import path from 'node:path';
import type Docker from 'dockerode';
import { AppError, forbidden } from '../../domain/errors.js';
import { LABEL_MANAGED } from '../../integrations/docker/docker-labels.js';
import type { RequestContext } from '../../lib/request-context.js';

/** Labels of a container the panel manages. */
export const isManaged = (labels: Record<string, string> | undefined): boolean =>
  labels?.[LABEL_MANAGED] === 'true';

/** Whether the caller may see and act on every container (admins), or only managed ones (operators). */
export const seesAll = (ctx: RequestContext): boolean => ctx.actor?.role === 'admin';

/** An image of Cloudflare's connector, by repository name (any registry, tag or digest). */
const CLOUDFLARED_IMAGE = /(^|\/)cloudflared(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$/;

/**
 * Who may touch which container: operators act only on managed containers (`warp.managed=true`);
 * the panel's own container and the tunnel's connectors are never stopped or removed through the
 * API, and the volumes under the panel's data dir are never removed.
 */
export function createContainerAccess(deps: {
  /** The container the panel runs in (null on the host). */
  selfContainerId: () => Promise<string | null>;
  /** The container(s) named by a `docker:<name>` tunnel restart setting (every replica), if any. */
  tunnelContainer: () => Promise<string | string[] | null>;
  dataDir: string;
}) {
  return {
    /** 403 for an operator on a container the panel does not manage (admins may act on any). */
    assertMayAct(ctx: RequestContext, info: Docker.ContainerInspectInfo): void {
      if (seesAll(ctx) || isManaged(info.Config?.Labels ?? undefined)) return;
      throw forbidden(
        `container ${info.Name.replace(/^\//, '')} is not managed by the panel; only an admin may act on it`,
      );
    },

    /** 409 when `info` is the panel itself or a tunnel connector, which keep running whoever asks. */
    async assertNotVital(info: Docker.ContainerInspectInfo, action: string): Promise<void> {
      const name = info.Name.replace(/^\//, '');
      const self = await deps.selfContainerId();
      if (self && info.Id === self) {
        throw new AppError(
          'CONFLICT',
          `${name} is the panel's own container; it cannot be ${action} through the API`,
        );
      }
      const named = await deps.tunnelContainer();
      const tunnels = Array.isArray(named) ? named : named ? [named] : [];
      const image = info.Config?.Image ?? '';
      // On Swarm the connectors are tasks of the panel's cloudflared service (labelled warp.kind).
      const swarmConnector = info.Config?.Labels?.['warp.kind'] === 'cloudflared';
      if (
        tunnels.some((t) => name === t || info.Id.startsWith(t)) ||
        CLOUDFLARED_IMAGE.test(image) ||
        swarmConnector
      ) {
        throw new AppError(
          'CONFLICT',
          `${name} runs the tunnel (cloudflared) that publishes every app; it cannot be ${action} through the API`,
        );
      }
    },

    /** Whether removing this volume could take the panel's own data with it. */
    async isPanelVolume(volume: { Name: string; Mountpoint?: string }, docker: Docker): Promise<boolean> {
      const mount = volume.Mountpoint;
      if (mount) {
        const rel = path.relative(mount, path.resolve(deps.dataDir));
        if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return true;
      }
      const self = await deps.selfContainerId();
      if (!self) return false;
      const info = await docker
        .getContainer(self)
        .inspect()
        .catch(() => null);
      return Boolean(info?.Mounts?.some((m) => m.Type === 'volume' && m.Name === volume.Name));
    },
  };
}

/** The guard the containers service uses. */
export type ContainerAccess = ReturnType<typeof createContainerAccess>;
