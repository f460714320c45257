import { notFound, validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import {
  BUCKET_MS,
  type MetricsRepository,
  type SeriesQuery,
  type SeriesRow,
} from '../../repositories/metrics.repository.js';
import { RAW_RETENTION_MS } from './metrics-sampler.js';

/** One series of `GET /api/v1/metrics`. */
export interface Series {
  name: string;
  unit: '%' | 'bytes' | 'bytes/s' | 'count' | 'load';
  /** The container a series of a project or container scope belongs to. */
  container: { id: string; name: string | null } | null;
  points: [number, number][];
}

/** `GET /api/v1/metrics` query, parsed. */
export interface MetricsQuery {
  scope: 'host' | 'project' | 'container';
  id?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Seconds per point. */
  step?: number | undefined;
  /** Only these series names. */
  series?: string[] | undefined;
}

const MAX_POINTS = 2000;
const TARGET_POINTS = 300;

type Pick = (r: SeriesRow, stepSeconds: number) => number | null;
const pct = (a: number | null, b: number | null) => (a !== null && b ? (a / b) * 100 : null);
const rate = (v: number | null, s: number) => (v === null ? null : v / s);

const HOST_SERIES: [string, Series['unit'], Pick][] = [
  ['cpu', '%', (r) => r.cpu],
  ['memory', 'bytes', (r) => r.mem_used],
  ['memoryTotal', 'bytes', (r) => r.mem_limit],
  ['memoryPercent', '%', (r) => pct(r.mem_used, r.mem_limit)],
  ['load1', 'load', (r) => r.load1],
  ['diskData', 'bytes', (r) => r.disk_data_used],
  ['diskDataTotal', 'bytes', (r) => r.disk_data_total],
  ['diskDataPercent', '%', (r) => pct(r.disk_data_used, r.disk_data_total)],
  ['diskDocker', 'bytes', (r) => r.disk_docker_used],
  ['diskDockerTotal', 'bytes', (r) => r.disk_docker_total],
  ['diskDockerPercent', '%', (r) => pct(r.disk_docker_used, r.disk_docker_total)],
];

const CONTAINER_SERIES: [string, Series['unit'], Pick][] = [
  ['cpu', '%', (r) => r.cpu],
  ['cpuMax', '%', (r) => r.cpu_max],
  ['memory', 'bytes', (r) => r.mem_used],
  ['memoryMax', 'bytes', (r) => r.mem_max],
  ['memoryLimit', 'bytes', (r) => r.mem_limit],
  ['netRx', 'bytes/s', (r, s) => rate(r.net_rx, s)],
  ['netTx', 'bytes/s', (r, s) => rate(r.net_tx, s)],
  ['blkRead', 'bytes/s', (r, s) => rate(r.blk_read, s)],
  ['blkWrite', 'bytes/s', (r, s) => rate(r.blk_write, s)],
  ['restarts', 'count', (r) => r.restarts],
];

/** Pick the table and step: raw samples for short steps inside their 24 h, 5-minute buckets otherwise. */
export function planRange(
  now: number,
  q: { from?: number | undefined; to?: number | undefined; step?: number | undefined },
): { from: number; to: number; stepMs: number; source: 'raw' | 'buckets' } {
  const to = q.to ?? now;
  const from = q.from ?? to - 3600_000;
  if (from >= to) throw validationError('invalid range', [{ path: 'from', message: 'must be before to' }]);
  let stepMs = q.step ? q.step * 1000 : Math.ceil((to - from) / TARGET_POINTS / 1000) * 1000;
  stepMs = Math.max(stepMs, Math.ceil((to - from) / MAX_POINTS / 1000) * 1000, 1000);
  // "The last 24 h" asked a moment ago reaches a few ms past the raw retention: still raw.
  const source = stepMs >= BUCKET_MS || from < now - RAW_RETENTION_MS - 10 * 60_000 ? 'buckets' : 'raw';
  if (source === 'buckets') stepMs = Math.ceil(stepMs / BUCKET_MS) * BUCKET_MS;
  // Steps start on multiples of the step, so a range starts on one too.
  return { from: Math.floor(from / stepMs) * stepMs, to, stepMs, source };
}

/** Range reads of the metrics history for the host, a project's containers or one container. */
export function createMetricsQuery(deps: {
  metrics: MetricsRepository;
  projects: { findById(id: string): Promise<{ id: string } | undefined> };
  clock: Clock;
}) {
  return {
    async series(q: MetricsQuery): Promise<{ series: Series[]; from: number; to: number; step: number }> {
      const plan = planRange(deps.clock.now().getTime(), q);
      let filter: SeriesQuery['filter'];
      if (q.scope === 'host') {
        filter = { target: 'host' };
      } else if (!q.id) {
        throw validationError('id is required', [{ path: 'id', message: `the ${q.scope} to read` }]);
      } else if (q.scope === 'project') {
        if (!(await deps.projects.findById(q.id))) throw notFound('project');
        filter = { projectId: q.id };
      } else {
        filter = q.id.length === 64 ? { target: q.id } : { targetPrefix: q.id };
      }
      const rows = await deps.metrics.series({
        source: plan.source,
        filter,
        key: q.scope === 'project' ? 'container_name' : 'target',
        fromTs: plan.from,
        toTs: plan.to,
        stepMs: plan.stepMs,
      });
      const all = q.scope === 'host' ? HOST_SERIES : CONTAINER_SERIES;
      const defs = q.series ? all.filter(([name]) => q.series?.includes(name)) : all;
      const byKey = new Map<string, SeriesRow[]>();
      for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
      const stepSeconds = plan.stepMs / 1000;
      const series: Series[] = [];
      for (const [key, list] of byKey) {
        const last = list.at(-1);
        const container =
          q.scope === 'host' ? null : { id: last?.target_id ?? key, name: last?.name ?? null };
        for (const [name, unit, pick] of defs) {
          const points: [number, number][] = [];
          for (const r of list) {
            const v = pick(r, stepSeconds);
            if (v !== null && Number.isFinite(v)) points.push([r.t, Math.round(v * 100) / 100]);
          }
          series.push({ name, unit, container, points });
        }
      }
      return { series, from: plan.from, to: plan.to, step: stepSeconds };
    },
  };
}

/** The metrics range reader. */
export type MetricsQueryService = ReturnType<typeof createMetricsQuery>;
