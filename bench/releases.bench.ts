/**
 * Releases through a tunnel that really proxies: two fake cloudflared connectors run as systemd units of
 * the fake systemctl (the panel restarts them one at a time, each back on /ready before the next), a
 * fake edge in front of them, and 50 req/s of steady load. Each figure has a reference from the same run:
 *   - switch time: API call → the new release answers through the edge, against creating, starting and
 *     probing the same image directly on the engine (the part no panel can skip) — the rest is the
 *     rolling restart;
 *   - requests failed during a redeploy: blue/green against stop-then-start (a database image name);
 *   - rollback time: API call → the old release answers through the edge, against a redeploy's switch.
 * Run: npx tsx bench/releases.bench.ts
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/lib/logger.js';
import { deployEnv } from '../test/support/deploy-env.js';
import { requireDocker } from '../test/support/docker.js';
import { createFakeEdge } from '../test/support/fake-edge.js';
import { releaseImage, retag } from '../test/support/release-images.js';
import { startSteadyLoad } from '../test/support/steady-load.js';
import { startSystemdConnectors } from '../test/support/systemd-connectors.js';
import { directWithGate } from './lib/engine.js';

const RUNS = 3;
const print = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const docker = await requireDocker();
for (const v of ['v1', 'v2']) await releaseImage(docker, v);
const run = Date.now().toString(36);
const bgRepo = `warp-bench/bg-${run}`;
// A database image name: the panel runs it stop-then-start (one server per data directory).
const ssRepo = `warp-bench-${run}/redis`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-releases-'));
const config = loadConfig(
  {
    ...deployEnv('18700-18799'),
    WARP_DATA_DIR: dataDir,
    WARP_LOG_LEVEL: 'warn',
    WARP_CLOUDFLARED_CONFIG: path.join(dataDir, 'cloudflared', 'config.yml'),
  },
  dataDir,
);
fs.mkdirSync(path.dirname(config.cloudflaredConfig), { recursive: true });
fs.writeFileSync(
  config.cloudflaredConfig,
  'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ningress:\n  - service: http_status:404\n',
);
const connectors = await startSystemdConnectors({
  count: 2,
  configPath: config.cloudflaredConfig,
  prefix: `warp-bench-${run}`,
});
const edge = await createFakeEdge({ replicas: connectors.addresses });
const app: App = await createApp({ config, logger: createLogger('warn') });
const { token } = await app.services.auth.issueLoginToken('cli');
const login = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
const headers = { cookie: `warp_session=${login.cookies[0]?.value}`, 'x-warp-request': '1' };
const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  (await app.http.inject({ method, url, headers, ...(payload ? { payload } : {}) })).json();
await api('PATCH', '/api/v1/settings', {
  tunnel: { restart: { mode: 'systemd', target: connectors.units[0], replicas: connectors.replicas } },
  releases: { drainSeconds: 2 },
});
app.runner.start();

async function job(id: string): Promise<void> {
  for (;;) {
    const j = await api('GET', `/api/v1/jobs/${id}`);
    if (j.status === 'succeeded') return;
    if (j.status !== 'queued' && j.status !== 'running')
      throw new Error(`job ${j.status}: ${j.error?.message}`);
    await sleep(20);
  }
}

/** GET / through the edge with the app's hostname: the body, or null. */
const viaEdge = (host: string) =>
  new Promise<string | null>((resolve) => {
    const req = http.get(`${edge.url}/`, { headers: { host }, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.once('end', () => resolve(res.statusCode === 200 ? body.trim() : null));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(null));
  });

/** Ms from `t0` until the edge serves `body` for `host`. */
async function servedAfter(host: string, body: string, t0: number): Promise<number> {
  for (;;) {
    if ((await viaEdge(host)) === body) return performance.now() - t0;
    await sleep(25);
  }
}

async function quick(repo: string, subdomain: string): Promise<{ id: string; host: string }> {
  await retag(docker, 'warp-test/release-v1:latest', repo);
  const res = await api('POST', '/api/v1/projects/quick-service', { image: `${repo}:latest`, subdomain });
  await job(res.job.id);
  return { id: res.project.id, host: `${subdomain}.example.test` };
}

/** Redeploys of one app under load: switch times and failed requests per redeploy. */
async function redeploys(repo: string, target: { id: string; host: string }) {
  const switches: number[] = [];
  const jobs: number[] = [];
  const failed: number[] = [];
  const sent: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const next = i % 2 === 0 ? 'v2' : 'v1';
    await retag(docker, `warp-test/release-${next}:latest`, repo);
    const load = startSteadyLoad({ url: edge.url, host: target.host, rate: 50 });
    await sleep(500);
    const t0 = performance.now();
    const res = await api('POST', `/api/v1/projects/${target.id}/redeploy`);
    switches.push(await servedAfter(target.host, next, t0));
    await job(res.job.id);
    jobs.push(performance.now() - t0);
    const r = await load.stop();
    failed.push(r.failed);
    sent.push(r.sent);
  }
  return { switches, jobs, failed, sent };
}

async function directRuns(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++)
    times.push(
      await directWithGate(docker, 'warp-test/release-v1:latest', `bench-rel-direct-${run}-${i}`, 18790 + i),
    );
  return times;
}

try {
  await edge.waitForReady(2);
  const direct = await directRuns();
  const bg = await quick(bgRepo, `bg${run}`);
  const ss = await quick(ssRepo, `ss${run}`);
  const blueGreen = await redeploys(bgRepo, bg);
  const stopStart = await redeploys(ssRepo, ss);
  const rollbacks: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const items = (await api('GET', `/api/v1/projects/${bg.id}/releases`)).items as {
      id: string;
      live: boolean;
    }[];
    // The newest release that is not live runs the other version.
    const target = items.find((r) => !r.live)!;
    const expected = (await viaEdge(bg.host)) === 'v1' ? 'v2' : 'v1';
    const t0 = performance.now();
    const res = await api('POST', `/api/v1/projects/${bg.id}/releases/${target.id}/rollback`);
    rollbacks.push(await servedAfter(bg.host, expected, t0));
    await job(res.job.id);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  print(
    `switch (API call → new release answers through the edge, 2 replicas): median ${s(median(blueGreen.switches))}; ` +
      `reference, create + start + first answer on the engine: median ${s(median(direct))} ` +
      `(the difference: the 2 s restart-coalescing window, then one rolling restart of 2 replicas)`,
  );
  print(
    `requests failed during a redeploy at 50 req/s: blue/green ${sum(blueGreen.failed)} of ${sum(blueGreen.sent)}; ` +
      `stop-then-start (reference) ${sum(stopStart.failed)} of ${sum(stopStart.sent)} (${RUNS} redeploys each)`,
  );
  print(
    `time to live: the new release serves after ${s(median(blueGreen.switches))}, the job ends after ${s(median(blueGreen.jobs))} ` +
      `(the stabilisation window and the drain run after the switch, not before)`,
  );
  print(
    `rollback (API call → the earlier release answers through the edge): median ${s(median(rollbacks))}; ` +
      `reference, a redeploy's switch: median ${s(median(blueGreen.switches))}; stop-then-start's switch: median ${s(median(stopStart.switches))}`,
  );
} finally {
  for (const id of (await api('GET', '/api/v1/projects')).items.map((p: { id: string }) => p.id)) {
    const del = await app.http.inject({ method: 'DELETE', url: `/api/v1/projects/${id}`, headers });
    await job(del.json().job.id).catch(() => {});
  }
  await app.close();
  await edge.close();
  await connectors.close();
  for (const repo of [bgRepo, ssRepo])
    await docker
      .getImage(`${repo}:latest`)
      .remove()
      .catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
}
