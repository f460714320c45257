import { compareApiVersions, type DockerClient } from './docker-client.js';

/** Cumulative counters of one container at one instant (`GET /containers/{id}/stats`). */
export interface StatsReading {
  /** Container CPU time (ns) and the host's CPU time (ns) at the reading. */
  cpuTotal: number;
  systemCpu: number | null;
  onlineCpus: number;
  /** The engine's previous reading when it took two (no one-shot): a CPU % without our own history. */
  pre: { cpuTotal: number; systemCpu: number | null } | null;
  /** Working set: usage minus inactive page cache (what `docker stats` shows). */
  memUsed: number;
  memLimit: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
}

interface RawStats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
}

/** API 1.41 added `one-shot`: one reading at once, instead of two a second apart. */
export const ONE_SHOT_API = '1.41';

/** Normalise the engine's stats JSON (cgroup v1 and v2 field names). */
export function parseStats(raw: RawStats): StatsReading {
  const cpu = raw.cpu_stats ?? {};
  const mem = raw.memory_stats ?? {};
  const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? mem.stats?.cache ?? 0;
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  let blkRead = 0;
  let blkWrite = 0;
  for (const e of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '').toLowerCase();
    if (op === 'read') blkRead += e.value ?? 0;
    else if (op === 'write') blkWrite += e.value ?? 0;
  }
  const preTotal = raw.precpu_stats?.cpu_usage?.total_usage;
  const usage = mem.usage ?? 0;
  return {
    cpuTotal: cpu.cpu_usage?.total_usage ?? 0,
    systemCpu: cpu.system_cpu_usage ?? null,
    onlineCpus: cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1,
    pre: preTotal ? { cpuTotal: preTotal, systemCpu: raw.precpu_stats?.system_cpu_usage ?? null } : null,
    memUsed: Math.max(0, usage - (usage > cache ? cache : 0)),
    memLimit: mem.limit ?? 0,
    netRx,
    netTx,
    blkRead,
    blkWrite,
  };
}

/**
 * CPU % between two readings as `docker stats` computes it (100 % = one core busy); null when the
 * readings cannot be compared (first reading, counters reset by a restart).
 */
export function cpuPercent(
  prev: { cpuTotal: number; systemCpu: number | null } | null,
  cur: StatsReading,
): number | null {
  if (!prev || prev.systemCpu === null || cur.systemCpu === null) return null;
  const cpuDelta = cur.cpuTotal - prev.cpuTotal;
  const systemDelta = cur.systemCpu - prev.systemCpu;
  if (cpuDelta < 0 || systemDelta <= 0) return null;
  return (cpuDelta / systemDelta) * cur.onlineCpus * 100;
}

/**
 * One stats reading of a running container (`stream=false`, plus `one-shot=true` where the API has it).
 * `withRate` leaves one-shot off: the engine then reads twice, about a second apart, and `pre` gives a
 * CPU % at once (for a figure "now" without a history of our own).
 */
export async function readContainerStats(
  docker: DockerClient,
  id: string,
  opts: { withRate?: boolean } = {},
): Promise<StatsReading> {
  const oneShot = !opts.withRate && compareApiVersions(await docker.apiVersion(), ONE_SHOT_API) >= 0;
  const raw = await docker.call(
    'GET /containers/{id}/stats',
    (d) =>
      d
        .getContainer(id)
        .stats({ stream: false, ...(oneShot ? { 'one-shot': true } : {}) }) as Promise<RawStats>,
    { what: `container ${id}`, timeoutMs: 10_000 },
  );
  return parseStats(raw);
}
