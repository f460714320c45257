import fs from 'node:fs/promises';
import YAML from 'yaml';
import { preconditionFailed } from '../../domain/errors.js';
import {
  CLOUDFLARED_CREDENTIALS_PATH,
  cloudflaredServiceSpec,
  DEFAULT_PACING,
  type UpdatePacing,
} from '../../domain/swarm-spec.js';
import type { TunnelRestarter } from '../cloudflare/tunnel-restarter.js';
import type { DockerClient } from '../docker/docker-client.js';
import { waitConverged } from './swarm-converge.js';
import { listNodes } from './swarm-nodes.js';
import { contentVersion, ensureObject, ensureOverlay, pruneObjects } from './swarm-objects.js';
import { createService, findService, updateService } from './swarm-services.js';

/** The cloudflared Swarm service and where its config comes from. */
export interface SwarmTunnelOptions {
  docker: DockerClient;
  /** The config.yml the panel keeps (the same file and merge rules as local mode). */
  configPath: string;
  service: string;
  image: string;
  replicas: number;
  network: string;
  /** Tunnel name or id to run; the config's `tunnel:` when null. */
  tunnel: string | null;
  pacing?: UpdatePacing;
  timeoutMs?: number;
  /** Lines for the job log (what was created, which config version runs). */
  log?: { info(text: string): void };
}

const KIND = 'warp.kind';

/**
 * "Restarts" the tunnel on Swarm: the config.yml text becomes a new, versioned Swarm config (configs
 * are immutable), the tunnel credentials a secret, and the cloudflared service is created or rolled
 * to them — start-first, one replica at a time — so one connector keeps serving while the next
 * starts. Resolves once the update converged; an update Swarm rolled back rejects (the restart
 * coordinator then restores config.yml and rolls again).
 */
export function createSwarmTunnelRestarter(o: SwarmTunnelOptions): TunnelRestarter {
  const labels = (kind: string) => ({ 'warp.managed': 'true', [KIND]: kind, 'warp.tunnel': o.service });
  return {
    describe: `roll Swarm service ${o.service} to the new config`,
    async restart() {
      const text = await fs.readFile(o.configPath, 'utf8');
      const doc = YAML.parseDocument(text);
      const tunnel = o.tunnel ?? (doc.get('tunnel') as string | undefined) ?? null;
      if (!tunnel)
        throw preconditionFailed('set tunnel.name (or `tunnel:` in config.yml) to run cloudflared on Swarm');
      let credentials: { id: string; name: string } | null = null;
      const credPath = doc.get('credentials-file');
      if (typeof credPath === 'string' && credPath !== '') {
        const data = await fs.readFile(credPath).catch((err: Error) => {
          throw preconditionFailed(
            `cannot read the tunnel credentials ${credPath} (${(err as NodeJS.ErrnoException).code ?? err.message}): the panel hands them to cloudflared on Swarm as a secret`,
          );
        });
        const name = `${o.service}-credentials-${contentVersion(data)}`;
        credentials = await ensureObject(o.docker, 'secret', name, data, labels('cloudflared-credentials'));
        doc.set('credentials-file', CLOUDFLARED_CREDENTIALS_PATH);
      }
      const rendered = doc.toString();
      const configName = `${o.service}-config-${contentVersion(rendered)}`;
      const config = await ensureObject(
        o.docker,
        'config',
        configName,
        rendered,
        labels('cloudflared-config'),
      );
      await ensureOverlay(o.docker, o.network, { 'warp.managed': 'true' });
      const nodes = await listNodes(o.docker, null);
      const schedulable = nodes.filter((n) => n.state === 'ready' && n.availability === 'active').length;
      const spec = cloudflaredServiceSpec({
        name: o.service,
        image: o.image,
        tunnel,
        config,
        credentials,
        replicas: o.replicas,
        network: o.network,
        labels: labels('cloudflared'),
        pacing: o.pacing ?? DEFAULT_PACING,
      });
      const existing = await findService(o.docker, o.service);
      let id: string;
      if (existing) {
        id = existing.ID;
        await updateService(o.docker, id, existing.Version.Index, spec);
        o.log?.info(`service ${o.service}: rolling to config ${configName}`);
      } else {
        id = await createService(o.docker, spec);
        o.log?.info(`service ${o.service} created with ${o.replicas} replica(s), config ${configName}`);
      }
      await waitConverged(o.docker, id, {
        wanted: Math.max(1, Math.min(o.replicas, schedulable)),
        timeoutMs: o.timeoutMs ?? 180_000,
        ...(o.log ? { log: o.log } : {}),
      });
      // Older versions go once no task uses them (the engine refuses to remove one in use).
      await pruneObjects(o.docker, 'config', `${KIND}=cloudflared-config`, new Set([configName]));
      if (credentials) {
        await pruneObjects(
          o.docker,
          'secret',
          `${KIND}=cloudflared-credentials`,
          new Set([credentials.name]),
        );
      }
    },
  };
}
