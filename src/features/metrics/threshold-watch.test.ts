import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ProjectRef } from './project-index.js';
import type { SampleBatch } from './sample-reader.js';
import { createThresholdWatch, type MetricAlert } from './threshold-watch.js';
import type { ProjectThresholds } from './thresholds.service.js';

const project: ProjectRef = { id: 'p1', name: 'shop', hostname: null, status: 'running' };
const MIN = 60_000;

function batch(ts: number, over: { cpu?: number | null; mem?: number; disk?: number }): SampleBatch {
  return {
    ts,
    host: {
      cpu: 1,
      memUsed: 1,
      memTotal: 2,
      load1: 0,
      dataDisk: { path: '/data', used: over.disk ?? 10, total: 100 },
      dockerDisk: null,
    },
    containers: [
      {
        id: 'c1',
        name: 'web',
        project,
        cpu: over.cpu === undefined ? 0 : over.cpu,
        memUsed: over.mem ?? 0,
        memLimit: 100,
        netRx: 0,
        netTx: 0,
        blkRead: 0,
        blkWrite: 0,
        restarts: 0,
      },
    ],
  };
}

function watch(t: ProjectThresholds) {
  const alerts: MetricAlert[] = [];
  const w = createThresholdWatch({
    thresholds: async () => new Map([['p1', t]]),
    diskThreshold: async () => 90,
    onAlert: (a) => alerts.push(a),
    log: pino({ level: 'silent' }),
  });
  return { alerts, evaluate: w.evaluate };
}

describe('threshold watch', () => {
  it('fires once after the value stayed over the threshold for the given minutes, then re-arms below it', async () => {
    const { alerts, evaluate } = watch({ cpu: null, memory: { percent: 80, minutes: 2 } });
    await evaluate(batch(0, { mem: 90 }));
    await evaluate(batch(1 * MIN, { mem: 95 }));
    expect(alerts).toEqual([]);
    await evaluate(batch(2 * MIN, { mem: 91 }));
    await evaluate(batch(3 * MIN, { mem: 99 }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'memory',
      containerName: 'web',
      threshold: 80,
      minutes: 2,
      percent: 91,
    });
    // Hovering just under the line does not re-arm it; clearly under does, and it can fire again.
    await evaluate(batch(4 * MIN, { mem: 79 }));
    await evaluate(batch(5 * MIN, { mem: 85 }));
    await evaluate(batch(8 * MIN, { mem: 85 }));
    expect(alerts).toHaveLength(1);
    await evaluate(batch(9 * MIN, { mem: 50 }));
    await evaluate(batch(10 * MIN, { mem: 85 }));
    await evaluate(batch(12 * MIN, { mem: 85 }));
    expect(alerts).toHaveLength(2);
  });

  it('restarts the clock when the value dips under the threshold before the time is up', async () => {
    const { alerts, evaluate } = watch({ cpu: { percent: 150, minutes: 5 }, memory: null });
    await evaluate(batch(0, { cpu: 200 }));
    await evaluate(batch(4 * MIN, { cpu: 100 }));
    await evaluate(batch(5 * MIN, { cpu: 200 }));
    await evaluate(batch(9 * MIN, { cpu: 200 }));
    expect(alerts).toEqual([]);
    await evaluate(batch(10 * MIN, { cpu: null }));
    await evaluate(batch(10 * MIN + 1, { cpu: 180 }));
    expect(alerts).toMatchObject([{ kind: 'cpu', percent: 180 }]);
  });

  it('fires a disk alert at once when the data dir is over the disk threshold', async () => {
    const { alerts, evaluate } = watch({ cpu: null, memory: null });
    await evaluate(batch(0, { disk: 89 }));
    await evaluate(batch(1, { disk: 93 }));
    await evaluate(batch(2, { disk: 95 }));
    expect(alerts).toMatchObject([{ kind: 'disk', disk: 'data', path: '/data', percent: 93, threshold: 90 }]);
  });
});
