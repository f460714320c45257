/**
 * Job runner figures: enqueue → start latency with an idle runner; log ingestion from a fast child
 * process (`seq 1 200000` via ctx.run) through to an SSE client; memory with 50 SSE subscribers; a
 * slow SSE client. SSE clients run in a separate process so they do not share the server's event loop.
 * Ratios compare with the raw engine in the same run (a bare insert + claim; a bare spawn reading lines).
 * Run: npx tsx bench/jobs.bench.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { type App, createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { defineJob } from '../src/features/jobs/job-types.js';
import { newId } from '../src/lib/ids.js';
import { createLogger } from '../src/lib/logger.js';
import { createPostgresDatabase, postgresAvailable } from '../test/support/databases.js';
import { actorContext } from '../test/support/job-helpers.js';

const LATENCY_RUNS = 300;
const LINES = 200_000;
const SUBSCRIBERS = 50;
const CLIENT_PROCESSES = 5;
// Longer than the SSE stall timeout (30 s), so the stalled client must be dropped.
const STALL_MS = 40_000;
const print = (line: string) => process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface ClientResult {
  logs: number;
  ended: 'end' | 'dropped' | 'closed';
  ms: number;
}

/** Client mode: `--clients <url> <auth> <count> <slow 0|1>` prints a JSON array of results. */
async function clientMode(url: string, auth: string, count: number, slow: boolean): Promise<void> {
  const one = () =>
    new Promise<ClientResult>((resolve) => {
      const t0 = performance.now();
      http.get(url, { headers: { authorization: auth, accept: 'text/event-stream' } }, (res) => {
        let logs = 0;
        let carry = '';
        let ended: ClientResult['ended'] = 'closed';
        const read = (chunk: string) => {
          const text = carry + chunk;
          for (let i = text.indexOf('\nevent: log\n'); i !== -1; i = text.indexOf('\nevent: log\n', i + 1))
            logs++;
          if (text.includes('event: end\n')) ended = 'end';
          if (text.includes('event: dropped\n')) ended = 'dropped';
          carry = text.slice(-11); // a marker split across chunks is counted once, in the next chunk
        };
        res.setEncoding('utf8');
        res.on('data', read);
        res.on('end', () => resolve({ logs, ended, ms: performance.now() - t0 }));
        if (slow) {
          // Read nothing for a long while (a stalled browser tab), then drain what is left.
          res.pause();
          setTimeout(() => res.resume(), STALL_MS);
        }
      });
    });
  const results = await Promise.all(Array.from({ length: count }, one));
  process.stdout.write(JSON.stringify(results));
}

function runClients(url: string, auth: string, count: number, slow = false): Promise<ClientResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, '--clients', url, auth, String(count), slow ? '1' : '0'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`clients exited ${code}`)),
    );
  });
}

async function buildApp(engine: 'sqlite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-'));
  const pg = engine === 'postgres' ? await createPostgresDatabase() : null;
  const config = loadConfig(
    { WARP_DATA_DIR: dataDir, WARP_LOG_LEVEL: 'warn', ...(pg ? { WARP_DATABASE_URL: pg.url } : {}) },
    dataDir,
  );
  // The bench lifts the 50k-line cap so a 200k-line job is measured whole.
  const app = await createApp({ config, logger: createLogger('warn'), jobLogMaxLines: LINES * 2 });
  const starts = new Map<string, number>();
  app.jobs.register(
    defineJob({
      type: 'bench.noop',
      input: z.object({}).strict(),
      async handler(ctx) {
        starts.set(ctx.job.id, performance.now());
      },
    }),
  );
  app.jobs.register(
    defineJob({
      type: 'bench.seq',
      input: z.object({ lines: z.number().int(), wait: z.boolean().optional() }).strict(),
      async handler(ctx) {
        await ctx.run(['seq', '1', String(ctx.input.lines)]);
      },
    }),
  );
  app.jobs.register(
    defineJob({
      type: 'bench.gate',
      input: z.object({}).strict(),
      handler: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)),
    }),
  );
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  await app.runner.start();
  return {
    app,
    starts,
    port: (app.http.server.address() as AddressInfo).port,
    async close() {
      await app.close();
      await pg?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitDone(app: App, id: string): Promise<void> {
  for (;;) {
    const job = await app.jobs.get(id);
    if (job.status !== 'queued' && job.status !== 'running') return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Raw engine: one INSERT of a job row plus one UPDATE … RETURNING, with no runner around them. */
async function rawClaimMs(app: App): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 100; i++) {
    const id = newId();
    const t0 = performance.now();
    await app.db.kysely
      .insertInto('jobs')
      .values({
        id,
        type: 'raw',
        status: 'queued',
        project_id: null,
        input: '{}',
        result: null,
        error: null,
        actor: null,
        request_id: null,
        cancel_requested: 0,
        created_at: new Date().toISOString(),
        started_at: null,
        finished_at: null,
      })
      .execute();
    await app.db.kysely
      .updateTable('jobs')
      .set({ status: 'canceled' })
      .where('id', '=', id)
      .returningAll()
      .execute();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Raw engine for ingestion: spawn `seq` and split its output into lines, nothing else. */
function rawSpawnLinesPerSec(lines: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('seq', ['1', String(lines)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let count = 0;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) count++;
    });
    child.on('close', () => resolve(count / ((performance.now() - t0) / 1000)));
  });
}

async function bearer(app: App): Promise<string> {
  const { token } = await app.services.auth.issueLoginToken('cli');
  const login = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
  const cookie = login.cookies.find((c) => c.name === 'warp_session')!;
  const res = await app.http.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { cookie: `warp_session=${cookie.value}`, 'x-warp-request': '1' },
    payload: { name: 'bench' },
  });
  return `Bearer ${res.json().token as string}`;
}

/** Enqueue a `seq` job behind a gate so every client is subscribed before the first line. */
async function seqJobWithClients(
  b: Awaited<ReturnType<typeof buildApp>>,
  auth: string,
  count: number,
  slow: boolean,
) {
  const ctx = actorContext('bench');
  const projectId = newId();
  const gate = await b.app.jobs.enqueue(ctx, 'bench.gate', {}, { projectId });
  const job = await b.app.jobs.enqueue(ctx, 'bench.seq', { lines: LINES }, { projectId });
  const url = `http://127.0.0.1:${b.port}/api/v1/jobs/${job.id}/logs/stream`;
  const procs = Math.min(count, CLIENT_PROCESSES);
  const fast = Promise.all(
    Array.from({ length: procs }, (_, i) =>
      runClients(url, auth, Math.floor(count / procs) + (i < count % procs ? 1 : 0)),
    ),
  ).then((r) => r.flat());
  const slowClient = slow ? runClients(url, auth, 1, true) : Promise.resolve([]);
  await new Promise((r) => setTimeout(r, 1500)); // the client processes start and subscribe
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 10);
  const before = process.memoryUsage();
  const t0 = performance.now();
  await b.app.jobs.cancel(ctx, gate.id); // the seq job starts now
  await waitDone(b.app, job.id);
  const jobSecs = (performance.now() - t0) / 1000;
  const results = await fast;
  const clientSecs = (performance.now() - t0) / 1000;
  const slowResults = await slowClient;
  clearInterval(sampler);
  return { job, jobSecs, clientSecs, results, slow: slowResults, before, peakRss, peakHeap };
}

async function benchEngine(engine: 'sqlite' | 'postgres') {
  print(`\n== ${engine} ==`);
  const b = await buildApp(engine);
  const auth = await bearer(b.app);
  const ctx = actorContext('bench');

  // 1. enqueue → start latency with an idle runner.
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const t0 = performance.now();
    const job = await b.app.jobs.enqueue(ctx, 'bench.noop', {});
    await waitDone(b.app, job.id);
    lat.push(b.starts.get(job.id)! - t0);
  }
  const raw = await rawClaimMs(b.app);
  print(
    `start latency (${LATENCY_RUNS} jobs): p50 ${pct(lat, 0.5).toFixed(2)} ms, p99 ${pct(lat, 0.99).toFixed(2)} ms (target p50 < 20 ms)`,
  );
  print(
    `  raw insert+update: p50 ${pct(raw, 0.5).toFixed(2)} ms → runner/raw ${(pct(lat, 0.5) / pct(raw, 0.5)).toFixed(1)}x`,
  );

  // 2. ingestion through to one SSE client.
  const rawRate = await rawSpawnLinesPerSec(LINES);
  const one = await seqJobWithClients(b, auth, 1, false);
  const stored = await b.app.repos.jobLogs.lastSeq(one.job.id);
  const rate = LINES / one.clientSecs;
  print(
    `ingestion: ${LINES} lines → ${Math.round(rate)} lines/s end to end (job done in ${one.jobSecs.toFixed(2)} s, client got ${one.results[0]?.logs} log events in ${one.clientSecs.toFixed(2)} s, ${stored} lines stored; target ≥ 50k/s)`,
  );
  print(`  raw spawn+split: ${Math.round(rawRate)} lines/s → raw/end-to-end ${(rawRate / rate).toFixed(1)}x`);

  // 3. 50 subscribers (+ one stalled client that must be dropped without slowing the job).
  const many = await seqJobWithClients(b, auth, SUBSCRIBERS, true);
  const complete = many.results.filter((r) => r.ended === 'end' && r.logs >= LINES).length;
  print(
    `${SUBSCRIBERS} subscribers: ${complete}/${SUBSCRIBERS} got all ${LINES} lines; job ${many.jobSecs.toFixed(2)} s, last client done ${many.clientSecs.toFixed(2)} s → ${Math.round((LINES * SUBSCRIBERS) / many.clientSecs)} events/s delivered`,
  );
  print(
    `  server memory: RSS ${mb(many.before.rss)} → peak ${mb(many.peakRss)} (+${mb(many.peakRss - many.before.rss)}), heap ${mb(many.before.heapUsed)} → peak ${mb(many.peakHeap)}`,
  );
  const s = many.slow[0];
  print(
    `  stalled client: ${s?.ended === 'dropped' ? 'dropped with a SLOW_CLIENT note' : `NOT dropped (${s?.ended})`} after ${s?.logs} events; job time with it attached ${many.jobSecs.toFixed(2)} s vs ${one.jobSecs.toFixed(2)} s with one fast client`,
  );
  await b.close();
}

if (process.argv[2] === '--clients') {
  const [, , , url, auth, count, slow] = process.argv;
  await clientMode(url!, auth!, Number(count), slow === '1');
  process.exit(0);
}
await benchEngine('sqlite');
if (await postgresAvailable()) await benchEngine('postgres');
else print('\n(postgres not reachable: skipped)');
process.exit(0);
