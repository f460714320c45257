/**
 * The job runner harness the job benches share: an in-process app with bench job types (`bench.seq`
 * prints `seq 1 N` through ctx.run), SSE clients in separate processes, and the raw references.
 * Run as a script with `--clients <url> <auth> <count> <slow 0|1>` it is one of those client processes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { defineJob } from '../../src/features/jobs/job-types.js';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPostgresDatabase } from '../../test/support/databases.js';
import { actorContext } from '../../test/support/job-helpers.js';

export const LINES = 200_000;
export const SUBSCRIBERS = 50;
export const CLIENT_PROCESSES = 5;
// Longer than the SSE stall timeout (30 s), so the stalled client must be dropped.
export const STALL_MS = 40_000;
export const print = (line: string) => process.stdout.write(`${line}\n`);
export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export interface ClientResult {
  logs: number;
  ended: 'end' | 'dropped' | 'closed';
  ms: number;
}

/** Client mode: `--clients <url> <auth> <count> <slow 0|1>` prints a JSON array of results. */
export async function clientMode(url: string, auth: string, count: number, slow: boolean): Promise<void> {
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

export function runClients(url: string, auth: string, count: number, slow = false): Promise<ClientResult[]> {
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

export async function buildApp(engine: 'sqlite' | 'postgres') {
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

export async function waitDone(app: App, id: string): Promise<void> {
  for (;;) {
    const job = await app.jobs.get(id);
    if (job.status !== 'queued' && job.status !== 'running') return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Raw engine: one INSERT of a job row plus one UPDATE … RETURNING, with no runner around them. */
export async function rawClaimMs(app: App): Promise<number[]> {
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
export function rawSpawnLinesPerSec(lines: number): Promise<number> {
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

export async function bearer(app: App): Promise<string> {
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
export async function seqJobWithClients(
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

if (process.argv[1] === import.meta.filename && process.argv[2] === '--clients') {
  const [, , , url, auth, count, slow] = process.argv;
  await clientMode(url!, auth!, Number(count), slow === '1');
  process.exit(0);
}
