import type { Logger } from 'pino';
import type { MetricSampleRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { BUCKET_MS, type MetricsRepository } from '../../repositories/metrics.repository.js';
import type { SampleBatch, SampleReader } from './sample-reader.js';

/** Raw samples are kept this long, 5-minute buckets this long. */
export const RAW_RETENTION_MS = 24 * 3600_000;
export const BUCKET_RETENTION_MS = 30 * 24 * 3600_000;

/** Limits and timings of the sampler (tests and benchmarks shorten them). */
export interface SamplerOptions {
  /** Size bound: rows kept at most per table, oldest deleted first. */
  maxRawRows?: number;
  maxBucketRows?: number;
  /** How often rollup and retention run. */
  maintenanceMs?: number;
}

/** The host and each container as rows of `metric_samples`. */
export function toRows(batch: SampleBatch): MetricSampleRow[] {
  const empty = {
    load1: null,
    disk_data_used: null,
    disk_data_total: null,
    disk_docker_used: null,
    disk_docker_total: null,
  };
  const h = batch.host;
  const rows: MetricSampleRow[] = [
    {
      target: 'host',
      ts: batch.ts,
      project_id: null,
      container_name: null,
      cpu: h.cpu,
      mem_used: h.memUsed,
      mem_limit: h.memTotal,
      net_rx: null,
      net_tx: null,
      blk_read: null,
      blk_write: null,
      restarts: null,
      load1: h.load1,
      disk_data_used: h.dataDisk?.used ?? null,
      disk_data_total: h.dataDisk?.total ?? null,
      disk_docker_used: h.dockerDisk?.used ?? null,
      disk_docker_total: h.dockerDisk?.total ?? null,
    },
  ];
  for (const c of batch.containers) {
    rows.push({
      target: c.id,
      ts: batch.ts,
      project_id: c.project.id,
      container_name: c.name,
      cpu: c.cpu,
      mem_used: c.memUsed,
      mem_limit: c.memLimit,
      net_rx: c.netRx,
      net_tx: c.netTx,
      blk_read: c.blkRead,
      blk_write: c.blkWrite,
      restarts: c.restarts,
      ...empty,
    });
  }
  return rows;
}

/**
 * The sampling loop: every `intervalSeconds` (a setting, re-read each tick) read a batch, store it,
 * tell listeners; every few minutes roll complete 5-minute buckets up and apply retention and the
 * size bound. Ticks never overlap, and a failing engine or database only costs that tick.
 */
export function createMetricsSampler(deps: {
  reader: SampleReader;
  metrics: MetricsRepository;
  intervalSeconds: () => Promise<number>;
  clock: Clock;
  log: Logger;
  options?: SamplerOptions;
}) {
  const o = deps.options ?? {};
  const maintenanceMs = o.maintenanceMs ?? 60_000;
  const listeners = new Set<(batch: SampleBatch) => void>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let current: Promise<void> | null = null;
  let lastMaintenance = 0;
  let maintenancePasses = 0;
  let failures = 0;

  /** Roll up complete buckets since the newest one (recomputed: late rows are folded in), then prune. */
  async function maintain(now = deps.clock.now().getTime()): Promise<void> {
    const last = await deps.metrics.lastBucketTs();
    const from = last ?? (await deps.metrics.firstSampleTs());
    // Only buckets that ended: the current one is still filling.
    const to = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    if (from !== null && from < to) await deps.metrics.rollup(Math.floor(from / BUCKET_MS) * BUCKET_MS, to);
    await deps.metrics.deleteBefore(now - RAW_RETENTION_MS, now - BUCKET_RETENTION_MS);
    // The size bound scans an index: every 10th pass is enough (retention already keeps it near).
    if (maintenancePasses++ % 10 === 0) {
      await deps.metrics.enforceBound('metric_samples', o.maxRawRows ?? 2_000_000);
      await deps.metrics.enforceBound('metric_buckets', o.maxBucketRows ?? 1_000_000);
    }
  }

  async function tick(): Promise<void> {
    const ts = deps.clock.now().getTime();
    try {
      const batch = await deps.reader.read(ts);
      await deps.metrics.insertSamples(toRows(batch));
      failures = 0;
      for (const fn of listeners) {
        try {
          fn(batch);
        } catch (err) {
          deps.log.error({ err }, 'metrics listener failed');
        }
      }
      if (ts - lastMaintenance >= maintenanceMs) {
        lastMaintenance = ts;
        await maintain(ts);
      }
    } catch (err) {
      // Log the first failure of a run and then every 20th: a database that is down stays visible, not loud.
      if (failures++ % 20 === 0) deps.log.warn({ err: (err as Error).message }, 'metrics sample not stored');
    }
  }

  async function loop(): Promise<void> {
    if (!running) return;
    const started = Date.now();
    current = tick();
    await current;
    current = null;
    if (!running) return;
    const interval = (await deps.intervalSeconds().catch(() => 15)) * 1000;
    timer = setTimeout(() => void loop(), Math.max(0, interval - (Date.now() - started)));
    timer.unref();
  }

  return {
    /** Start sampling (the first tick runs at once). */
    start(): void {
      if (running) return;
      running = true;
      void loop();
    },
    /** Stop and wait for a tick in flight. */
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await current;
    },
    /** One tick now (tests, benchmarks). */
    tick,
    /** Rollup and retention now (tests). */
    maintain,
    /** Hear every stored batch (threshold watch). */
    onSample(fn: (batch: SampleBatch) => void): () => void {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** The metrics sampling loop. */
export type MetricsSampler = ReturnType<typeof createMetricsSampler>;
