/**
 * Quick service time to live: API call → the app answers through its route, against creating, starting
 * and reaching the same image directly on the engine (the part no panel can skip) in the same run.
 * The tunnel is remote-managed (the fake Cloudflare API of test/fakes holds the ingress), so the route
 * applies as soon as the panel pushes it, as Cloudflare's edge applies a remote config without a
 * connector restart; "through the route" is a GET that follows the pushed ingress rules to the origin.
 * (A local config.yml additionally waits for the cloudflared restart: docs/performance.md.)
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { startFakeCloudflareApi } from '../../test/fakes/cloudflare-api.js';
import { deployEnv, ensureDeployImages, WEB_IMAGE } from '../../test/support/deploy-env.js';
import { TEST_LABEL } from '../../test/support/docker.js';
import { freshDataDir, type Panel, startPanel } from '../lib/processes.js';
import { median, withSpread } from '../lib/stats.js';
import type { Figure } from './figure.js';

const IDS = {
  token: 'cf-bench-token-0123456789',
  accountId: '0123456789abcdef0123456789abcdef',
  tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef',
  zoneId: 'fedcba9876543210fedcba9876543210',
};
const BASE_DOMAIN = 'example.test';
/** Host ports of this figure only (other suites on the engine use their own ranges). */
const PORTS = { first: 19_400, last: 19_449 };
const DIRECT_PORT = 19_450;

type Rule = { hostname?: string; service?: string };

/** GET / through the route: the first ingress rule for `host` (as the edge matches it) to its origin. */
function viaRoute(rules: Rule[], host: string): Promise<number | null> {
  // Only the app's own rule counts (the catch-all's http_status:404 is the edge answering, not the app).
  const rule = rules.find((r) => r.hostname === host);
  if (!rule?.service?.startsWith('http://')) return Promise.resolve(null);
  const origin = new URL(rule.service);
  return probe(origin.hostname === 'localhost' ? '127.0.0.1' : origin.hostname, Number(origin.port), host);
}

function probe(host: string, port: number, hostHeader?: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(
      { host, port, path: '/', agent: false, timeout: 1000, headers: hostHeader ? { host: hostHeader } : {} },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? null);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** Ms from t0 until `check` gets an HTTP answer (any status, as the panel's health gate counts it). */
async function untilAnswers(check: () => Promise<number | null>, t0: number): Promise<number> {
  for (;;) {
    if ((await check()) !== null) return performance.now() - t0;
    if (performance.now() - t0 > 60_000) throw new Error('no answer within 60 s');
    await sleep(5);
  }
}

async function waitJob(panel: Panel, id: string): Promise<string> {
  for (;;) {
    const job = await panel.api<{ status: string; error?: { message?: string } }>(
      'GET',
      `/api/v1/jobs/${id}`,
    );
    if (job.status !== 'queued' && job.status !== 'running') {
      if (job.status !== 'succeeded') throw new Error(`job ${id} ${job.status}: ${job.error?.message}`);
      return job.status;
    }
    await sleep(20);
  }
}

/** The reference: create + start the image on the engine, then its first HTTP answer (polled every 5 ms). */
async function direct(docker: Docker, run: string, i: number): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: WEB_IMAGE,
    name: `${run}-direct-${i}`,
    Labels: { [TEST_LABEL]: run },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: {
      Init: true,
      RestartPolicy: { Name: 'unless-stopped' },
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(DIRECT_PORT) }] },
    },
  });
  await c.start();
  const ms = await untilAnswers(() => probe('127.0.0.1', DIRECT_PORT), t0);
  await c.remove({ force: true });
  return ms;
}

/** One quick service through the panel: ms to answering through the route, and to the job's end. */
async function viaPanel(
  panel: Panel,
  rules: () => Rule[],
  sub: string,
): Promise<{ live: number; done: number; projectId: string }> {
  const host = `${sub}.${BASE_DOMAIN}`;
  const t0 = performance.now();
  const res = await panel.api<{ job: { id: string }; project: { id: string } }>(
    'POST',
    '/api/v1/projects/quick-service',
    { image: WEB_IMAGE, subdomain: sub },
  );
  const live = await untilAnswers(() => viaRoute(rules(), host), t0);
  await waitJob(panel, res.job.id);
  return { live, done: performance.now() - t0, projectId: res.project.id };
}

/** `rounds` quick services (after one warm-up) alternating with the direct path. */
export async function measureTimeToLive(docker: Docker, run: string, rounds: number): Promise<Figure[]> {
  await ensureDeployImages(docker);
  const api = await startFakeCloudflareApi(IDS);
  const data = freshDataDir();
  const rules = () => (api.state.config.ingress ?? []) as Rule[];
  let panel: Panel | null = null;
  const projects: string[] = [];
  try {
    panel = await startPanel(data.dir, {
      ...deployEnv(`${PORTS.first}-${PORTS.last}`),
      WARP_BASE_DOMAIN: BASE_DOMAIN,
      WARP_CLOUDFLARE_API_URL: api.url,
    });
    await panel.api('PATCH', '/api/v1/settings', {
      tunnel: { mode: 'remote', id: IDS.tunnelId, accountId: IDS.accountId, dnsMode: 'api' },
      cloudflare: { apiToken: IDS.token, zoneId: IDS.zoneId },
    });
    const live: number[] = [];
    const done: number[] = [];
    const ref: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const got = await viaPanel(panel, rules, `${run}-${i}`);
      projects.push(got.projectId);
      // Round 0 warms up (the engine client's version negotiation, the Cloudflare SDK's first load).
      if (i > 0) {
        live.push(got.live);
        done.push(got.done);
      }
      const del = await panel.api<{ job: { id: string } }>('DELETE', `/api/v1/projects/${got.projectId}`);
      await waitJob(panel, del.job.id);
      projects.pop();
      if (i > 0) ref.push(await direct(docker, run, i));
    }
    const ratio = median(live) / median(ref);
    return [
      {
        figure: 'quick service time to live (API call → answers through the route), remote tunnel',
        panel: `${withSpread(live, 0)} ms (job ends after ${median(done).toFixed(0)} ms: the 3 s watch runs after the switch)`,
        reference: `create + start + first answer on the engine ${withSpread(ref, 0)} ms`,
        ratio,
        target: '≤ 1.5×',
        met: ratio <= 1.5,
      },
    ];
  } finally {
    for (const id of projects) {
      const left = await docker.listContainers({ all: true, filters: { label: [`warp.project=${id}`] } });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    }
    await panel?.stop();
    await api.close();
    data.remove();
  }
}
