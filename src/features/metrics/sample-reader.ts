import type { Logger } from 'pino';
import {
  cpuPercent,
  readContainerStats,
  type StatsReading,
} from '../../integrations/docker/container-stats.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { containerName } from '../../integrations/docker/docker-labels.js';
import { readHostSnapshot } from '../../integrations/host/host-snapshot.js';
import {
  type CpuTimes,
  diskUsage,
  hostCpuPercent,
  readCpuTimes,
} from '../../integrations/host/host-usage.js';
import type { ProjectIndex, ProjectRef } from './project-index.js';

/** One container's figures at one tick; counters are amounts since the previous tick. */
export interface ContainerSample {
  id: string;
  name: string;
  project: ProjectRef;
  /** % of one core (`docker stats`); null on a container's first tick. */
  cpu: number | null;
  memUsed: number;
  memLimit: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  restarts: number;
}

/** The host at one tick. */
export interface HostSample {
  /** % of all cores; null on the first tick. */
  cpu: number | null;
  memUsed: number;
  memTotal: number;
  load1: number;
  dataDisk: { path: string; used: number; total: number } | null;
  dockerDisk: { path: string; used: number; total: number } | null;
}

/** Everything one tick measured. */
export interface SampleBatch {
  ts: number;
  host: HostSample;
  containers: ContainerSample[];
}

interface Previous {
  cpu: { cpuTotal: number; systemCpu: number | null };
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  restartCount: number;
}

// A counter that went down was reset (the container restarted): count from zero.
const delta = (cur: number, prev: number | undefined) =>
  prev === undefined ? 0 : cur >= prev ? cur - prev : cur;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Reads one tick: every running container of a managed project through the engine's one-shot stats
 * plus its restart count, and the host (/proc, statfs of the data dir and the Docker root). Keeps the
 * previous counters per container so CPU % and the byte amounts are differences between ticks.
 */
export function createSampleReader(deps: {
  docker: DockerClient;
  projects: ProjectIndex;
  dataDir: string;
  log: Logger;
  concurrency?: number;
}) {
  const previous = new Map<string, Previous>();
  let prevCpu: CpuTimes | null = null;
  let dockerRoot: { path: string | null; checkedAt: number } | null = null;

  async function dockerRootDir(): Promise<string | null> {
    if (dockerRoot && (dockerRoot.path || Date.now() - dockerRoot.checkedAt < 300_000))
      return dockerRoot.path;
    const info = await deps.docker
      .call('GET /info', (d) => d.info() as Promise<{ DockerRootDir?: string }>)
      .catch(() => null);
    dockerRoot = { path: info?.DockerRootDir ?? null, checkedAt: Date.now() };
    return dockerRoot.path;
  }

  async function host(): Promise<HostSample> {
    const [snap, cpuTimes, data, root] = await Promise.all([
      readHostSnapshot(deps.dataDir),
      readCpuTimes(),
      diskUsage(deps.dataDir),
      dockerRootDir(),
    ]);
    const dockerDisk = root ? await diskUsage(root) : null;
    const cpu = hostCpuPercent(prevCpu, cpuTimes);
    prevCpu = cpuTimes;
    return {
      cpu,
      memUsed: snap.memoryTotal - snap.memoryAvailable,
      memTotal: snap.memoryTotal,
      load1: snap.load[0],
      dataDisk: data ? { path: deps.dataDir, ...data } : null,
      dockerDisk: dockerDisk && root ? { path: root, ...dockerDisk } : null,
    };
  }

  async function container(c: {
    id: string;
    name: string;
    project: ProjectRef;
  }): Promise<ContainerSample | null> {
    let reading: StatsReading;
    let restartCount: number;
    try {
      const [stats, info] = await Promise.all([
        readContainerStats(deps.docker, c.id),
        deps.docker.call('inspect container', (d) => d.getContainer(c.id).inspect(), { timeoutMs: 10_000 }),
      ]);
      reading = stats;
      restartCount = info.RestartCount ?? 0;
    } catch (err) {
      // Gone between the list and the stats call, or the engine hiccuped: skip it this tick.
      deps.log.debug({ err, containerId: c.id }, 'metrics: container not sampled');
      return null;
    }
    const prev = previous.get(c.id);
    const sample: ContainerSample = {
      ...c,
      cpu: cpuPercent(prev?.cpu ?? reading.pre, reading),
      memUsed: reading.memUsed,
      memLimit: reading.memLimit,
      netRx: delta(reading.netRx, prev?.netRx),
      netTx: delta(reading.netTx, prev?.netTx),
      blkRead: delta(reading.blkRead, prev?.blkRead),
      blkWrite: delta(reading.blkWrite, prev?.blkWrite),
      restarts: prev ? Math.max(0, restartCount - prev.restartCount) : 0,
    };
    previous.set(c.id, {
      cpu: { cpuTotal: reading.cpuTotal, systemCpu: reading.systemCpu },
      netRx: reading.netRx,
      netTx: reading.netTx,
      blkRead: reading.blkRead,
      blkWrite: reading.blkWrite,
      restartCount,
    });
    return sample;
  }

  async function containers(): Promise<ContainerSample[]> {
    const running = await deps.docker.call('list containers', (d) => d.listContainers({ all: false }));
    const managed: { id: string; name: string; project: ProjectRef }[] = [];
    for (const c of running) {
      const name = containerName(c.Names);
      const project = await deps.projects.resolve(c.Labels, name);
      if (project) managed.push({ id: c.Id, name, project });
    }
    const seen = new Set(managed.map((c) => c.id));
    for (const id of previous.keys()) if (!seen.has(id)) previous.delete(id);
    const samples = await mapLimit(managed, deps.concurrency ?? 8, container);
    return samples.filter((s): s is ContainerSample => s !== null);
  }

  return {
    /** Measure the host and the managed containers once; an unreachable engine only drops the containers. */
    async read(ts: number): Promise<SampleBatch> {
      const [h, c] = await Promise.all([
        host(),
        containers().catch((err) => {
          deps.log.warn(
            { err: (err as Error).message },
            'metrics: containers not sampled (engine unreachable?)',
          );
          return [] as ContainerSample[];
        }),
      ]);
      return { ts, host: h, containers: c };
    },
  };
}

/** One tick's reader. */
export type SampleReader = ReturnType<typeof createSampleReader>;
