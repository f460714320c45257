/**
 * Bounded load against the panel running as its own process (test/support/panel-child.ts under tsx),
 * driven from this process over loopback with autocannon:
 *  1. each read endpoint at full speed for 5 s (its ceiling), next to a bare Node server and the raw
 *     Docker engine (`/containers/json?all=1`) measured in the same run;
 *  2. all read endpoints mixed at 70 % of the mix's ceiling for 60 s: errors, p99, RSS every 5 s;
 *  3. 50 concurrent SSE followers of a running job's log: lines delivered, gaps, RSS;
 *  4. 20 concurrent quick-service deploys (local image, distinct subdomains): distinct ports, names
 *     and routes, none lost.
 * Run: npx tsx bench/load.bench.ts   (needs Docker; uses the fake cloudflared)
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionOptions } from '../src/integrations/docker/docker-client.js';
import {
  ensureDeployImages,
  FAKE_CLOUDFLARED,
  FAKE_SYSTEMCTL,
  WEB_IMAGE,
} from '../test/support/deploy-env.js';
import { requireDocker, TEST_DOCKER_HOST } from '../test/support/docker.js';
import { call, startPanel } from '../test/support/panel-process.js';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
// autocannon ships no types; this is the part of its API the bench uses.
const { default: autocannon } = (await import('autocannon' as string)) as { default: Cannon };

const say = (line: string) => process.stdout.write(`${line}\n`);
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};
const fmt = (r: CannonResult) =>
  `${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}`;

const docker = await requireDocker();
await ensureDeployImages(docker);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-load-'));
const configFile = path.join(dataDir, 'cloudflared', 'config.yml');
fs.mkdirSync(path.dirname(configFile), { recursive: true });
fs.writeFileSync(configFile, 'tunnel: home\ningress:\n  - service: http_status:404\n');
const panel = await startPanel({
  WARP_DATA_DIR: dataDir,
  WARP_LOG_LEVEL: 'warn',
  WARP_BENCH_TICKER: '1',
  WARP_CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
  WARP_SYSTEMCTL_BIN: FAKE_SYSTEMCTL,
  WARP_CLOUDFLARED_CONFIG: configFile,
  WARP_BASE_DOMAIN: 'example.test',
  WARP_TUNNEL_NAME: 'home',
  WARP_TUNNEL_RESTART: 'none',
  WARP_PORT_RANGE: '19100-19199',
});
const projectIds: string[] = [];

try {
  say(`panel pid ${panel.pid} on ${panel.base}, RSS at start ${rssMb(panel.pid)} MB`);
  // 1. Ceilings: each endpoint at full speed (10 connections, 5 s), next to the raw baselines.
  const bare = http.createServer((_q, s) => s.end('{"status":"ok"}')).listen(0, '127.0.0.1');
  await new Promise((r) => bare.once('listening', r));
  const rawNode = await autocannon({
    url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
    connections: 10,
    duration: 5,
  });
  bare.close();
  say(`raw node http (same machine)        ${fmt(rawNode)}`);
  const sock = connectionOptions(TEST_DOCKER_HOST).socketPath;
  const rawDocker = sock
    ? await autocannon({
        url: 'http://localhost/containers/json?all=1',
        socketPath: sock,
        connections: 10,
        duration: 5,
      })
    : null;
  if (rawDocker) say(`raw docker /containers/json?all=1   ${fmt(rawDocker)}`);
  const reads = [
    '/healthz',
    '/api/v1/projects',
    '/api/v1/containers',
    '/api/v1/system/docker',
    '/api/v1/jobs',
  ];
  // Warm-up (JIT, caches, connections) before anything is measured.
  await autocannon({
    url: panel.base,
    headers: panel.headers,
    connections: 10,
    duration: 5,
    requests: reads.map((p) => ({ method: 'GET', path: p })),
  });
  const ceiling: Record<string, number> = {};
  for (const url of reads) {
    const r = await autocannon({
      url: `${panel.base}${url}`,
      headers: panel.headers,
      connections: 10,
      duration: 5,
    });
    ceiling[url] = r.requests.average;
    const ratio = url === '/healthz' ? rawNode : url === '/api/v1/containers' ? rawDocker : null;
    say(
      `${url.padEnd(36)}${fmt(r)}${ratio ? ` (${(r.requests.average / ratio.requests.average).toFixed(2)}× the raw baseline)` : ''}`,
    );
  }

  // 2. Sustained: the endpoints in turn at 70 % of the mix's ceiling (harmonic mean of the ceilings).
  const mixCeiling = reads.length / Object.values(ceiling).reduce((a, c) => a + 1 / c, 0);
  const rate = Math.floor(mixCeiling * 0.7);
  const rss: number[] = [rssMb(panel.pid)];
  const sampler = setInterval(() => rss.push(rssMb(panel.pid)), 5000);
  const sustained = await autocannon({
    url: panel.base,
    headers: panel.headers,
    connections: 10,
    duration: 60,
    overallRate: rate,
    requests: reads.map((p) => ({ method: 'GET', path: p })),
  });
  clearInterval(sampler);
  rss.push(rssMb(panel.pid));
  say(
    `sustained 60 s mixed reads at ${rate} req/s target: ${fmt(sustained)}, ${sustained.requests.total} requests`,
  );
  say(`  RSS MB sampled every 5 s: ${rss.join(' ')} (before ${rss[0]}, after ${rss.at(-1)})`);

  // 3. 50 SSE followers of the ticker job for 15 s.
  const ticker = panel.ticker!;
  const before = rssMb(panel.pid);
  const followers = Array.from({ length: 50 }, () => follow(panel.base, ticker, panel.headers, 15_000));
  const seen = await Promise.all(followers);
  const after = rssMb(panel.pid);
  const lines = seen.map((s) => s.lines);
  say(
    `50 SSE followers, 15 s: lines each min ${Math.min(...lines)} max ${Math.max(...lines)}, gaps ${seen.reduce((a, s) => a + s.gaps, 0)}, ` +
      `${Math.round(lines.reduce((a, b) => a + b, 0) / 15)} lines/s delivered, RSS ${before} → ${after} MB`,
  );
  await call(panel, 'POST', `/api/v1/jobs/${ticker}/cancel`);

  // 4. 20 concurrent deploys.
  const started = Date.now();
  const posts = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      call(panel, 'POST', '/api/v1/projects/quick-service', { image: WEB_IMAGE, subdomain: `load${i}` }),
    ),
  );
  for (const p of posts) if (p.status === 202) projectIds.push(p.json.project.id);
  const accepted = posts.filter((p) => p.status === 202).length;
  const jobs = posts.filter((p) => p.status === 202).map((p) => p.json.job.id as string);
  for (;;) {
    const states = await Promise.all(jobs.map((id) => call(panel, 'GET', `/api/v1/jobs/${id}`)));
    if (states.every((s) => !['queued', 'running'].includes(s.json.status))) break;
    await sleep(500);
  }
  const projects = (await call(panel, 'GET', '/api/v1/projects')).json.items as {
    hostPort: number;
    containerNames: string[];
    status: string;
    hostname: string;
  }[];
  const config = fs.readFileSync(configFile, 'utf8');
  const ports = new Set(projects.map((p) => p.hostPort));
  const names = new Set(projects.flatMap((p) => p.containerNames));
  const routed = projects.filter((p) =>
    config.includes(`- hostname: ${p.hostname}\n    service: http://localhost:${p.hostPort}\n`),
  );
  say(
    `20 concurrent deploys: ${accepted} accepted, ${projects.filter((p) => p.status === 'running').length} running after ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
      `${ports.size} distinct ports, ${names.size} distinct names, ${routed.length} routes in config.yml`,
  );
} finally {
  for (const id of projectIds) {
    const list = await docker.listContainers({ all: true, filters: { label: [`warp.project=${id}`] } });
    for (const c of list)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
  }
  await panel.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** Follow a job's SSE log for `ms`; counts lines and gaps in their seq numbers. */
function follow(base: string, jobId: string, headers: Record<string, string>, ms: number) {
  return new Promise<{ lines: number; gaps: number }>((resolve) => {
    let lines = 0;
    let gaps = 0;
    let last = -1;
    let buf = '';
    const req = http.get(`${base}/api/v1/jobs/${jobId}/logs/stream`, { headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let at = buf.indexOf('\n\n');
        while (at >= 0) {
          const frame = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const id = /^id: (\d+)$/m.exec(frame);
          if (/^event: log$/m.test(frame) && id) {
            const seq = Number(id[1]);
            if (last >= 0 && seq !== last + 1) gaps++;
            last = seq;
            lines++;
          }
          at = buf.indexOf('\n\n');
        }
      });
    });
    setTimeout(() => {
      req.destroy();
      resolve({ lines, gaps });
    }, ms);
  });
}
