import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricSampleRow } from '../../src/db/schema.js';
import { testEngines } from '../support/databases.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
} from '../support/docker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const skipDocker = await skipWithoutDocker();
const MIN = 60_000;
const BUCKET = 5 * MIN;

interface Series {
  name: string;
  unit: string;
  container: { id: string; name: string | null } | null;
  points: [number, number][];
}

const row = (target: string, ts: number, v: Partial<MetricSampleRow> = {}): MetricSampleRow => ({
  target,
  ts,
  project_id: null,
  container_name: null,
  cpu: null,
  mem_used: null,
  mem_limit: null,
  net_rx: null,
  net_tx: null,
  blk_read: null,
  blk_write: null,
  restarts: null,
  load1: null,
  disk_data_used: null,
  disk_data_total: null,
  disk_docker_used: null,
  disk_docker_total: null,
  ...v,
});

async function insertProject(t: TestApp, id: string, name: string) {
  const now = new Date().toISOString();
  await t.app.repos.projects.insert({
    id,
    name,
    kind: 'quick',
    subdomain: name,
    status: 'running',
    container_names: JSON.stringify([]),
    spec: '{}',
    created_at: now,
    updated_at: now,
  });
}

describe.each(engines)('metrics history on %s', (engine) => {
  let t: TestApp;
  let auth: Record<string, string>;
  const projectId = '0190aaaa-0000-7000-8000-000000000001';
  const get = async (url: string) => {
    const res = await t.app.http.inject({ url, headers: auth });
    return { status: res.statusCode, body: res.json() };
  };
  const seriesOf = (body: { series: Series[] }, name: string, container?: string) =>
    body.series.find((s) => s.name === name && (container === undefined || s.container?.name === container));

  beforeAll(async () => {
    t = await createTestApp({ engine });
    auth = await t.adminBearer();
    await insertProject(t, projectId, 'charts');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('downsampling keeps averages and totals right, and the API reads raw or buckets by step', async () => {
    const now = Date.now();
    // A bucket three hours ago, on a 10-minute boundary so one 10-minute step holds two buckets.
    const b0 = Math.floor((now - 3 * 3600_000) / (2 * BUCKET)) * 2 * BUCKET;
    const samples: MetricSampleRow[] = [];
    // Two buckets of 20 samples each (15 s apart), and a second container in the same project.
    for (let i = 0; i < 40; i++) {
      const ts = b0 + i * 15_000;
      samples.push(
        row('c1'.padEnd(64, '0'), ts, {
          project_id: projectId,
          container_name: 'web',
          cpu: i < 20 ? 10 + (i % 2) * 10 : 50, // bucket 0 averages 15, bucket 1 averages 50
          mem_used: 1000 + i * 10,
          mem_limit: 10_000,
          net_rx: 300, // 300 bytes per sample: 6,000 per bucket
          net_tx: i,
          restarts: i === 25 ? 1 : 0,
        }),
        row('c2'.padEnd(64, '0'), ts, { project_id: projectId, container_name: 'db', cpu: 5, mem_used: 500 }),
      );
    }
    await t.app.repos.metrics.insertSamples(samples);
    await t.app.metrics.sampler.maintain(now);

    const buckets = await t.app.db.kysely
      .selectFrom('metric_buckets')
      .selectAll()
      .where('target', '=', 'c1'.padEnd(64, '0'))
      .orderBy('ts')
      .execute();
    expect(buckets.map((b) => [Number(b.ts), b.n, b.cpu, Number(b.net_rx), Number(b.restarts)])).toEqual([
      [b0, 20, 15, 6000, 0],
      [b0 + BUCKET, 20, 50, 6000, 1],
    ]);
    expect(buckets[0]).toMatchObject({ cpu_max: 20, mem_max: 1190 });
    expect(Number(buckets[0]!.mem_used)).toBe(1095); // mean of 1000..1190
    expect(Number(buckets[1]!.net_tx)).toBe([...Array(20).keys()].reduce((a, i) => a + i + 20, 0));
    // Maintenance again changes nothing (idempotent).
    await t.app.metrics.sampler.maintain(now);
    expect(await t.app.repos.metrics.count('metric_buckets')).toBe(4);

    // One 10-minute step over both buckets: the mean of all 40 samples, the rate of all bytes.
    const from = b0;
    const to = b0 + 2 * BUCKET;
    const coarse = await get(`/api/v1/metrics?scope=project&id=${projectId}&from=${from}&to=${to}&step=600`);
    expect(coarse.status).toBe(200);
    expect(coarse.body.step).toBe(600);
    expect(seriesOf(coarse.body, 'cpu', 'web')!.points).toEqual([[b0, 32.5]]);
    expect(seriesOf(coarse.body, 'netRx', 'web')!.points).toEqual([[b0, 12_000 / 600]]);
    expect(seriesOf(coarse.body, 'restarts', 'web')!.points).toEqual([[b0, 1]]);
    expect(seriesOf(coarse.body, 'cpu', 'db')!.points).toEqual([[b0, 5]]);
    expect(seriesOf(coarse.body, 'cpu', 'web')!.container!.id).toBe('c1'.padEnd(64, '0'));

    // Raw steps (1 min) of the same range: each step's rate times its length adds up to the total.
    const fine = await get(
      `/api/v1/metrics?scope=container&id=${'c1'.padEnd(64, '0')}&from=${from}&to=${to}&step=60`,
    );
    const rx = seriesOf(fine.body, 'netRx')!.points;
    expect(rx).toHaveLength(10);
    expect(rx.reduce((sum, [, v]) => sum + v * 60, 0)).toBe(12_000);
    const cpu = seriesOf(fine.body, 'cpu')!.points;
    expect(cpu.slice(0, 5).every(([, v]) => v === 15)).toBe(true);
    expect(cpu.slice(5).every(([, v]) => v === 50)).toBe(true);
    // Only the series asked for (what the charts do).
    const some = await get(
      `/api/v1/metrics?scope=project&id=${projectId}&from=${from}&to=${to}&step=600&series=cpu,memory`,
    );
    expect([...new Set(some.body.series.map((s: Series) => s.name))]).toEqual(['cpu', 'memory']);
    expect((await get('/api/v1/metrics?scope=host&series=cpu;drop')).status).toBe(400);
    // A short prefix of the id works too.
    const short = await get(
      `/api/v1/metrics?scope=container&id=c1000000000000&from=${from}&to=${to}&step=600`,
    );
    expect(seriesOf(short.body, 'cpu')!.points).toEqual([[b0, 32.5]]);
  });

  it('retention drops raw samples after 24 h and buckets after 30 days; the size bound keeps the newest', async () => {
    const now = Date.now();
    const old = Math.floor((now - 25 * 3600_000) / BUCKET) * BUCKET;
    await t.app.repos.metrics.insertSamples([
      row('host', old, { cpu: 1 }),
      row('host', now - 1000, { cpu: 2 }),
    ]);
    await t.app.db.kysely
      .insertInto('metric_buckets')
      .values([
        { ...row('host', now - 31 * 86400_000, { cpu: 3 }), n: 1, cpu_max: 3, mem_max: null },
        { ...row('host', now - 29 * 86400_000, { cpu: 4 }), n: 1, cpu_max: 4, mem_max: null },
      ])
      .execute();
    await t.app.metrics.sampler.maintain(now);
    const raw = await t.app.db.kysely
      .selectFrom('metric_samples')
      .select('ts')
      .where('target', '=', 'host')
      .execute();
    expect(raw.map((r) => Number(r.ts))).toEqual([now - 1000]);
    const kept = await t.app.db.kysely
      .selectFrom('metric_buckets')
      .select(['ts', 'cpu'])
      .where('target', '=', 'host')
      .orderBy('ts')
      .execute();
    // The 31-day bucket is gone, the 29-day one stays.
    expect(kept.map((b) => b.cpu)).toEqual([4]);

    const before = await t.app.repos.metrics.count('metric_samples');
    expect(before).toBeGreaterThan(10);
    const deleted = await t.app.repos.metrics.enforceBound('metric_samples', 10);
    const left = await t.app.db.kysely
      .selectFrom('metric_samples')
      .select('ts')
      .orderBy('ts', 'desc')
      .execute();
    // At most 10 (rows of one instant go together), the newest kept.
    expect(left.length).toBeLessThanOrEqual(10);
    expect(left.length).toBeGreaterThanOrEqual(8);
    expect(deleted).toBe(before - left.length);
    expect(Number(left[0]!.ts)).toBe(now - 1000);
  });

  it('validates the query and the thresholds', async () => {
    expect((await get('/api/v1/metrics?scope=project')).status).toBe(400);
    expect((await get('/api/v1/metrics?scope=planet')).status).toBe(400);
    expect((await get('/api/v1/metrics?scope=host&from=2000&to=1000')).status).toBe(400);
    expect((await get('/api/v1/metrics?scope=project&id=0190aaaa-0000-7000-8000-00000000ffff')).status).toBe(
      404,
    );
    const end = Date.now();
    const iso = await get(
      `/api/v1/metrics?scope=host&from=${new Date(end - 3600_000).toISOString()}&to=${new Date(end).toISOString()}`,
    );
    expect(iso.status).toBe(200);
    expect(iso.body.step).toBe(12);

    const url = `/api/v1/projects/${projectId}/thresholds`;
    expect(await get(url)).toEqual({ status: 200, body: { cpu: null, memory: null } });
    const put = (payload: Record<string, unknown>) =>
      t.app.http.inject({ method: 'PUT', url, headers: auth, payload });
    expect((await put({ cpu: { percent: 0, minutes: 5 }, memory: null })).statusCode).toBe(400);
    expect((await put({ cpu: null })).statusCode).toBe(400);
    const ok = await put({ cpu: { percent: 150, minutes: 5 }, memory: { percent: 90, minutes: 10 } });
    expect(ok.json()).toEqual({ cpu: { percent: 150, minutes: 5 }, memory: { percent: 90, minutes: 10 } });
    expect((await get(url)).body.memory).toEqual({ percent: 90, minutes: 10 });

    const settings = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { metrics: { intervalSeconds: 30 } },
    });
    expect(settings.json().metrics).toEqual({ intervalSeconds: 30, diskThresholdPercent: 90 });
  });
});

describe.skipIf(skipDocker)('metrics sampling on the real engine', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  const run = newRunId();
  const projectId = '0190aaaa-0000-7000-8000-0000000000a2';

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    t = await createTestApp({ env: { WARP_METRICS_INTERVAL: '1' } });
    auth = await t.adminBearer();
    await insertProject(t, projectId, `${run}-app`);
  });
  afterAll(async () => {
    await t?.close();
    if (docker) await cleanupDocker(docker, run);
  });

  it('samples running managed containers (not others) and the host, and answers their series', async () => {
    const managed = await createTestContainer(docker, run, {
      name: `${run}-web`,
      cmd: ['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 3600'],
      labels: { 'warp.project': projectId, 'warp.managed': 'true' },
    });
    const other = await createTestContainer(docker, run, { name: `${run}-other` });
    await t.app.monitors.start();
    const series = async () =>
      (
        await t.app.http.inject({
          url: `/api/v1/metrics?scope=project&id=${projectId}&from=${Date.now() - 600_000}&step=1`,
          headers: auth,
        })
      ).json() as { series: Series[] };
    // Every second a tick (WARP_METRICS_INTERVAL=1): the second one of a container has a CPU figure.
    const body = await waitForValue('two samples of the container', async () => {
      const b = await series();
      const cpu = b.series.find((s) => s.name === 'cpu');
      return cpu && cpu.points.length >= 1 ? b : undefined;
    });
    const memory = body.series.find((s) => s.name === 'memory')!;
    expect(memory.container).toEqual({ id: managed.id, name: `${run}-web` });
    expect(memory.unit).toBe('bytes');
    expect(memory.points.at(-1)![1]).toBeGreaterThan(0);
    const limit = body.series.find((s) => s.name === 'memoryLimit')!;
    expect(limit.points.at(-1)![1]).toBeGreaterThanOrEqual(memory.points.at(-1)![1]);
    expect(body.series.find((s) => s.name === 'netRx')!.unit).toBe('bytes/s');

    const rows = await t.app.db.kysely.selectFrom('metric_samples').select('target').distinct().execute();
    const targets = rows.map((r) => r.target);
    expect(targets).toContain(managed.id);
    expect(targets).toContain('host');
    expect(targets).not.toContain(other.id);

    const host = (
      await t.app.http.inject({
        url: `/api/v1/metrics?scope=host&from=${Date.now() - 600_000}&step=1`,
        headers: auth,
      })
    ).json() as { series: Series[] };
    const names = host.series.filter((s) => s.points.length > 0).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['cpu', 'memory', 'memoryPercent', 'diskData', 'diskDataPercent']),
    );
    const pct = host.series.find((s) => s.name === 'diskDataPercent')!.points.at(-1)![1];
    expect(pct).toBeGreaterThan(0);
    expect(pct).toBeLessThanOrEqual(100);
    await t.app.monitors.stop();
  });
});

async function waitForValue<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
