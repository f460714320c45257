import type { Logger } from 'pino';
import type { ProjectRef } from './project-index.js';
import type { SampleBatch } from './sample-reader.js';
import type { ProjectThresholds } from './thresholds.service.js';

/** A threshold crossed: disk of the host, or CPU / memory of a project's container for long enough. */
export type MetricAlert =
  | {
      kind: 'disk';
      at: number;
      disk: 'data' | 'docker';
      path: string;
      percent: number;
      threshold: number;
      used: number;
      total: number;
    }
  | {
      kind: 'cpu' | 'memory';
      at: number;
      project: ProjectRef;
      containerId: string;
      containerName: string;
      percent: number;
      threshold: number;
      minutes: number;
    };

interface Over {
  since: number | null;
  fired: boolean;
}

// Back under the threshold by this many points before it can fire again: a value that hovers
// around the line does not send a message every tick.
const HYSTERESIS = 2;

/**
 * Turns sample batches into alerts, edge-triggered: an alert fires once when a value has stayed
 * over its threshold (for `minutes`, for CPU and memory), and again only after it went back under.
 */
export function createThresholdWatch(deps: {
  thresholds: () => Promise<Map<string, ProjectThresholds>>;
  diskThreshold: () => Promise<number>;
  onAlert: (alert: MetricAlert) => void;
  log: Logger;
}) {
  const state = new Map<string, Over>();

  function check(key: string, value: number | null, threshold: number, holdMs: number, ts: number): boolean {
    if (value === null) return false;
    const s = state.get(key) ?? { since: null, fired: false };
    state.set(key, s);
    if (value > threshold) {
      s.since ??= ts;
      if (!s.fired && ts - s.since >= holdMs) {
        s.fired = true;
        return true;
      }
    } else if (value <= threshold - HYSTERESIS || !s.fired) {
      s.since = null;
      s.fired = false;
    }
    return false;
  }

  async function evaluate(batch: SampleBatch): Promise<void> {
    const disk = await deps.diskThreshold();
    for (const [which, d] of [
      ['data', batch.host.dataDisk],
      ['docker', batch.host.dockerDisk],
    ] as const) {
      if (!d || d.total <= 0) continue;
      const percent = (d.used / d.total) * 100;
      if (check(`disk:${which}`, percent, disk, 0, batch.ts)) {
        deps.onAlert({ kind: 'disk', at: batch.ts, disk: which, percent, threshold: disk, ...d });
      }
    }
    const all = await deps.thresholds();
    const seen = new Set<string>();
    for (const c of batch.containers) {
      const t = all.get(c.project.id);
      if (!t) continue;
      const values = {
        cpu: c.cpu,
        memory: c.memLimit > 0 ? (c.memUsed / c.memLimit) * 100 : null,
      };
      for (const kind of ['cpu', 'memory'] as const) {
        const limit = t[kind];
        if (!limit) continue;
        const key = `${kind}:${c.id}`;
        seen.add(key);
        if (check(key, values[kind], limit.percent, limit.minutes * 60_000, batch.ts)) {
          deps.onAlert({
            kind,
            at: batch.ts,
            project: c.project,
            containerId: c.id,
            containerName: c.name,
            percent: values[kind] ?? 0,
            threshold: limit.percent,
            minutes: limit.minutes,
          });
        }
      }
    }
    // Containers that went away (or lost their thresholds) start over when they come back.
    for (const key of state.keys()) if (!key.startsWith('disk:') && !seen.has(key)) state.delete(key);
  }

  return {
    /** Feed one batch (errors are logged, never thrown: the sampler must keep going). */
    observe(batch: SampleBatch): void {
      evaluate(batch).catch((err) => deps.log.warn({ err }, 'threshold check failed'));
    },
    evaluate,
  };
}
