import type { Logger } from 'pino';
import { normalizeDiskUsage } from '../../integrations/docker/disk-usage.js';
import type { DockerClient, DockerHealth } from '../../integrations/docker/docker-client.js';
import { type HostSnapshot, readHostSnapshot } from '../../integrations/host/host-snapshot.js';
import type { Clock } from '../../lib/clock.js';

/** `GET /api/v1/system/docker`. */
export interface DockerStats {
  containers: { total: number; running: number; stopped: number };
  images: { count: number; size: number };
  volumes: { count: number; size: number };
  buildCache: { size: number };
  totalSize: number;
  reclaimable: number;
  measuredAt: string;
}

/**
 * Docker and host figures. Docker stats are cached for `ttlMs` with single-flight refreshes and
 * stale-while-revalidate: once a value exists, a caller never waits for `/system/df` (it gets the
 * cached value and at most one background refresh starts); only the very first call waits.
 */
export function createSystemService(deps: {
  docker: DockerClient;
  dataDir: string;
  clock: Clock;
  log: Logger;
  ttlMs?: number;
}) {
  const ttlMs = deps.ttlMs ?? 60_000;
  let cached: { value: DockerStats; at: number } | null = null;
  let inflight: Promise<DockerStats> | null = null;

  async function measure(): Promise<DockerStats> {
    // df computes layer and volume sizes: slow on a big host, so it gets a longer timeout.
    const [info, df] = await Promise.all([
      deps.docker.call('GET /info', (d) => d.info() as Promise<Record<string, number>>),
      deps.docker.call('GET /system/df', (d) => d.df(), { timeoutMs: 120_000 }),
    ]);
    const u = normalizeDiskUsage(df);
    const total = Number(info.Containers ?? u.containers.count);
    const running = Number(info.ContainersRunning ?? 0);
    return {
      containers: { total, running, stopped: total - running },
      images: { count: Number(info.Images ?? u.images.count), size: u.images.size },
      volumes: { count: u.volumes.count, size: u.volumes.size },
      buildCache: { size: u.buildCache.size },
      totalSize: u.images.size + u.containers.size + u.volumes.size + u.buildCache.size,
      reclaimable:
        u.images.reclaimable + u.containers.reclaimable + u.volumes.reclaimable + u.buildCache.reclaimable,
      measuredAt: deps.clock.now().toISOString(),
    };
  }

  function refresh(): Promise<DockerStats> {
    inflight ??= measure()
      .then((value) => {
        cached = { value, at: Date.now() };
        return value;
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  return {
    /** Cached Docker counts and sizes (see the service comment for the caching rules). */
    async dockerStats(): Promise<DockerStats> {
      if (!cached) return refresh();
      if (Date.now() - cached.at >= ttlMs) {
        refresh().catch((err) =>
          deps.log.warn({ err }, 'docker stats refresh failed; serving the cached value'),
        );
      }
      return cached.value;
    },
    /** CPUs, memory (MemAvailable), load and the data dir's disk. */
    host(): Promise<HostSnapshot> {
      return readHostSnapshot(deps.dataDir);
    },
    /** Engine reachability for `/health/docker`; throws the translated error when it is down. */
    dockerHealth(): Promise<DockerHealth> {
      return deps.docker.health();
    },
  };
}

/** The system service. */
export type SystemService = ReturnType<typeof createSystemService>;
