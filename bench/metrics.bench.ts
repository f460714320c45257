/**
 * Metrics cost, each figure against a reference measured in the same run:
 * - sampling 50 running managed containers: the panel's CPU time per tick (as % of one core at the
 *   default 15 s interval) and its RSS growth, vs the raw engine calls alone (one-shot stats for the
 *   50 containers; and stats + inspect + list, everything a tick asks the engine);
 * - a 7-day range query of one project through `GET /api/v1/metrics`, vs the same SQL through the
 *   repository alone, on a history the size 50 containers leave after 30 days.
 * Run: node --expose-gc --import tsx bench/metrics.bench.ts
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { connectionOptions } from '../src/integrations/docker/docker-client.js';
import { createLogger } from '../src/lib/logger.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  TEST_DOCKER_HOST,
} from '../test/support/docker.js';

const CONTAINERS = 50;
const TICKS = 20;
const INTERVAL_MS = 15_000;
const QUERY_RUNS = 30;
const print = (line: string) => process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] as number;
const socketPath = connectionOptions(TEST_DOCKER_HOST).socketPath as string;
const MB = 1024 * 1024;

function engineGet(pathname: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path: pathname }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** CPU ms of this process spent in `fn`, and its wall time. */
async function cpuOf(fn: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 };
}

const docker = await requireDocker();
await ensureTestImage(docker);
const run = newRunId();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-'));
const config = loadConfig(
  { WARP_DATA_DIR: dataDir, WARP_LOG_LEVEL: 'warn', DOCKER_HOST: TEST_DOCKER_HOST },
  dataDir,
);
const app = await createApp({ config, logger: createLogger('warn') });
const projectId = '0190cccc-0000-7000-8000-00000000be9c';

try {
  const now = new Date().toISOString();
  await app.repos.projects.insert({
    id: projectId,
    name: 'bench',
    kind: 'quick',
    subdomain: 'bench',
    status: 'running',
    container_names: '[]',
    spec: '{}',
    created_at: now,
    updated_at: now,
  });
  print(`starting ${CONTAINERS} managed containers…`);
  const ids: string[] = [];
  for (let i = 0; i < CONTAINERS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, CONTAINERS - i) }, (_, k) =>
        createTestContainer(docker, run, {
          name: `${run}-m${i + k}`,
          labels: { 'warp.project': projectId, 'warp.managed': 'true' },
        }),
      ),
    );
    ids.push(...batch.map((c) => c.id));
  }
  const api = `/v${await app.docker.apiVersion()}`;
  // The baseline: the engine client loaded (any page of the panel does that), no tick run yet.
  await app.docker.health();
  global.gc?.();
  await sleep(200);
  const rssIdle = process.memoryUsage().rss;

  // Warm up both sides (dockerode loaded, previous readings held, JIT warm).
  for (let i = 0; i < 3; i++) await app.metrics.sampler.tick();
  await eachLimit(ids, 8, (id) => engineGet(`${api}/containers/${id}/stats?stream=false&one-shot=true`));
  global.gc?.();
  await sleep(200);
  const rssBefore = process.memoryUsage().rss;

  const rawStats: number[] = [];
  const rawAll: number[] = [];
  const sampler: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    // Interleaved, so drift in engine load hits every side alike.
    rawStats.push(
      (
        await cpuOf(() =>
          eachLimit(ids, 8, (id) => engineGet(`${api}/containers/${id}/stats?stream=false&one-shot=true`)),
        )
      ).cpuMs,
    );
    rawAll.push(
      (
        await cpuOf(async () => {
          await engineGet(`${api}/containers/json`);
          await eachLimit(ids, 8, (id) =>
            Promise.all([
              engineGet(`${api}/containers/${id}/stats?stream=false&one-shot=true`),
              engineGet(`${api}/containers/${id}/json`),
            ]),
          );
        })
      ).cpuMs,
    );
    const s = await cpuOf(() => app.metrics.sampler.tick());
    sampler.push(s.cpuMs);
    walls.push(s.wallMs);
  }
  global.gc?.();
  await sleep(200);
  const rssAfter = process.memoryUsage().rss;
  const samples = await app.repos.metrics.count('metric_samples');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const share = (ms: number) => `${((ms / INTERVAL_MS) * 100).toFixed(2)} % of one core`;
  print(`\n[sampling] ${CONTAINERS} running managed containers, ${TICKS} ticks (${samples} rows stored)`);
  print(
    `  raw one-shot stats alone        ${mean(rawStats).toFixed(1)} ms CPU per round = ${share(mean(rawStats))} at 15 s`,
  );
  print(
    `  raw list + stats + inspect      ${mean(rawAll).toFixed(1)} ms CPU per round = ${share(mean(rawAll))} at 15 s`,
  );
  print(
    `  sampler tick (all of it, stored) ${mean(sampler).toFixed(1)} ms CPU per tick  = ${share(mean(sampler))} at 15 s (target < 2 %)`,
  );
  print(
    `  ratio sampler / raw stats ${(mean(sampler) / mean(rawStats)).toFixed(2)}×; tick wall time p50 ${pct(walls, 0.5).toFixed(0)} ms`,
  );
  print(
    `  RSS ${(rssIdle / MB).toFixed(1)} MB before the first tick, ${(rssBefore / MB).toFixed(1)} after 3 warm-up ticks, ${(rssAfter / MB).toFixed(1)} after ${TICKS} more: +${((rssAfter - rssIdle) / MB).toFixed(1)} MB in all (target < 20 MB)${global.gc ? '' : ' — run with --expose-gc for a steadier figure'}`,
  );

  // A history the size 50 containers leave: 30 days of buckets and 24 h of raw samples, plus the project's own.
  print('\nseeding 30 days of history for 50 other containers and 7 days for the project…');
  const end = Date.now();
  const bucketStart = Math.floor((end - 30 * 86400_000) / 300_000) * 300_000;
  const buckets = 30 * 288;
  const db = app.db.kysely;
  await sql`
    insert into metric_buckets (target, ts, project_id, container_name, n, cpu, cpu_max, mem_used, mem_max,
      mem_limit, net_rx, net_tx, blk_read, blk_write, restarts)
    with recursive c(i) as (select 0 union all select i + 1 from c where i < ${CONTAINERS * buckets - 1})
    select 'bg' || (i % ${CONTAINERS}), ${bucketStart} + (i / ${CONTAINERS}) * 300000, 'other',
      'bg' || (i % ${CONTAINERS}), 20, 1.5, 3, 10000000, 20000000, 1000000000, 1000, 1000, 0, 0, 0 from c`.execute(
    db,
  );
  const rawStart = end - 86400_000;
  await sql`
    insert into metric_samples (target, ts, project_id, container_name, cpu, mem_used, mem_limit, net_rx, net_tx,
      blk_read, blk_write, restarts)
    with recursive c(i) as (select 0 union all select i + 1 from c where i < ${CONTAINERS * 5760 - 1})
    select 'bg' || (i % ${CONTAINERS}), ${rawStart} + (i / ${CONTAINERS}) * 15000, 'other',
      'bg' || (i % ${CONTAINERS}), 1.5, 10000000, 1000000000, 50, 50, 0, 0, 0 from c`.execute(db);
  const weekStart = Math.floor((end - 7 * 86400_000) / 300_000) * 300_000;
  await sql`
    insert into metric_buckets (target, ts, project_id, container_name, n, cpu, cpu_max, mem_used, mem_max,
      mem_limit, net_rx, net_tx, blk_read, blk_write, restarts)
    with recursive c(i) as (select 0 union all select i + 1 from c where i < ${3 * 7 * 288 - 1})
    select 'proj' || (i % 3), ${weekStart} + (i / 3) * 300000, ${projectId}, 'svc' || (i % 3), 20, 2.5, 9,
      30000000, 40000000, 1000000000, 5000, 5000, 0, 0, 0 from c`.execute(db);
  const bucketRows = await app.repos.metrics.count('metric_buckets');
  const rawRows = await app.repos.metrics.count('metric_samples');

  const { token } = await app.services.auth.issueLoginToken('cli');
  const login = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
  const cookie = `warp_session=${login.cookies.find((c) => c.name === 'warp_session')?.value}`;
  const url = `/api/v1/metrics?scope=project&id=${projectId}&from=${end - 7 * 86400_000}&to=${end}`;
  const viaApi: number[] = [];
  const viaChart: number[] = [];
  const viaRepo: number[] = [];
  let points = 0;
  let chartPoints = 0;
  for (let i = 0; i < QUERY_RUNS + 3; i++) {
    const t0 = performance.now();
    const res = await app.http.inject({ url, headers: { cookie } });
    const t1 = performance.now();
    // What the project page's chart asks for: CPU and memory only.
    const chart = await app.http.inject({ url: `${url}&series=cpu,memory`, headers: { cookie } });
    const tc = performance.now() - t1;
    await app.repos.metrics.series({
      source: 'buckets',
      filter: { projectId },
      key: 'container_name',
      fromTs: end - 7 * 86400_000,
      toTs: end,
      stepMs: JSON.parse(res.body).step * 1000,
    });
    const t2 = performance.now();
    if (i < 3) continue; // warm-up
    viaApi.push(t1 - t0);
    viaChart.push(tc);
    viaRepo.push(t2 - t1 - tc);
    chartPoints = (JSON.parse(chart.body).series as { points: unknown[] }[]).reduce(
      (n, s) => n + s.points.length,
      0,
    );
    points = (JSON.parse(res.body).series as { points: unknown[] }[]).reduce(
      (n, s) => n + s.points.length,
      0,
    );
  }
  print(
    `\n[7-day range, one project of 3 containers] ${bucketRows.toLocaleString('en')} bucket rows, ${rawRows.toLocaleString('en')} raw rows in the tables`,
  );
  print(
    `  repository SQL alone             p50 ${pct(viaRepo, 0.5).toFixed(1)} ms, p95 ${pct(viaRepo, 0.95).toFixed(1)} ms`,
  );
  print(
    `  GET /api/v1/metrics, every series (${points} points)  p50 ${pct(viaApi, 0.5).toFixed(1)} ms, p95 ${pct(viaApi, 0.95).toFixed(1)} ms (target < 50 ms)`,
  );
  print(
    `  GET …&series=cpu,memory (the chart, ${chartPoints} points) p50 ${pct(viaChart, 0.5).toFixed(1)} ms, p95 ${pct(viaChart, 0.95).toFixed(1)} ms`,
  );
} finally {
  await app.close();
  print('\ncleaning up…');
  await cleanupDocker(docker, run);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
