/**
 * Scale: with 1,000 containers and 200 projects, the pages of the UI as a browser loads them (every
 * request a page makes, six connections at a time), p95 over repeated loads; and the panel's memory
 * growth over that work.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { FAKE_CLOUDFLARED, FAKE_SYSTEMCTL } from '../../test/support/deploy-env.js';
import { engineGet } from '../lib/engine.js';
import { type Panel, rssMiB } from '../lib/processes.js';
import { percentile } from '../lib/stats.js';
import type { Figure } from './figure.js';

/** Insert `count` running quick-service projects into a fresh data dir's database; returns their ids. */
export async function seedProjects(dataDir: string, count: number): Promise<string[]> {
  const config = loadConfig({ WARP_DATA_DIR: dataDir, WARP_LOG_LEVEL: 'warn' }, dataDir);
  const app = await createApp({ config, logger: createLogger('warn') });
  const ids: string[] = [];
  try {
    const now = new Date().toISOString();
    for (let i = 0; i < count; i++) {
      const id = newId();
      ids.push(id);
      await app.repos.projects.insert({
        id,
        name: `bench-${i}`,
        kind: 'quick',
        subdomain: `bench-${i}`,
        hostname: null,
        host_port: 20_000 + i,
        status: 'running',
        repo_owner: null,
        repo_name: null,
        repo_url: null,
        image: 'warp-test/busybox:latest',
        path: null,
        compose_project: null,
        container_names: '[]',
        spec: '{}',
        created_by: null,
        created_at: now,
        updated_at: now,
        last_job_id: null,
      });
    }
  } finally {
    await app.close();
  }
  return ids;
}

/** A local-mode tunnel with the fake cloudflared (test/fakes), as a configured panel has one. */
export function tunnelEnv(dataDir: string): Record<string, string> {
  const configFile = path.join(dataDir, 'cloudflared', 'config.yml');
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.writeFileSync(configFile, 'tunnel: home\ningress:\n  - service: http_status:404\n');
  return {
    WARP_CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
    WARP_SYSTEMCTL_BIN: FAKE_SYSTEMCTL,
    WARP_CLOUDFLARED_CONFIG: configFile,
    WARP_BASE_DOMAIN: 'example.test',
    WARP_TUNNEL_NAME: 'home',
    WARP_TUNNEL_RESTART: 'none',
  };
}

/** What each page of the UI asks for when it opens (web/src/pages/*, web/src/components/*). */
const HOUR = 3_600_000;
const PAGES = {
  dashboard: () => [
    '/auth/me',
    '/api/v1/onboarding',
    '/api/v1/backups/status',
    '/api/v1/projects',
    '/api/v1/jobs?limit=100',
    '/api/v1/jobs?status=running',
    '/health/tunnel',
    '/api/v1/system/docker',
    '/api/v1/system/host',
    `/api/v1/metrics?scope=host&from=${Date.now() - 24 * HOUR}&series=cpu,memoryPercent,diskDataPercent,diskDockerPercent`,
  ],
  containers: () => ['/api/v1/containers', '/api/v1/projects'],
  project: (id: string) => [
    `/api/v1/projects/${id}`,
    `/api/v1/containers?projectId=${id}`,
    `/api/v1/projects/${id}/releases`,
    '/api/v1/tunnel',
    `/api/v1/projects/${id}/backup-policy`,
    `/api/v1/projects/${id}/backups`,
    `/api/v1/metrics?scope=project&id=${id}&from=${Date.now() - HOUR}&series=cpu,memory`,
    `/api/v1/projects/${id}/thresholds`,
    `/api/v1/projects/${id}/deliveries`,
    `/api/v1/projects/${id}/policy`,
  ],
};

/** Load a page: all its requests, six at a time like a browser; ms until the last one answered. */
async function loadPage(panel: Panel, agent: http.Agent, paths: string[]): Promise<number> {
  const t0 = performance.now();
  const statuses = await Promise.all(paths.map((p) => panel.status(p, agent)));
  const failed = statuses.findIndex((s) => s >= 500 && s !== 503);
  if (failed !== -1) throw new Error(`GET ${paths[failed]}: ${statuses[failed]}`);
  return performance.now() - t0;
}

/** p95 page times, and RSS growth of the panel from idle over all of it (plus 60 lists, four at a time). */
export async function measureScale(
  panel: Panel,
  projectIds: string[],
  loads: number,
  /** RSS of the idle panel before any request (the list figure runs on the same panel first). */
  before: number,
): Promise<Figure[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(panel.pid));
  }, 50);
  const times: Record<keyof typeof PAGES, number[]> = { dashboard: [], containers: [], project: [] };
  const raw: number[] = [];
  try {
    for (const paths of [PAGES.dashboard(), PAGES.containers(), PAGES.project(projectIds[0] as string)])
      await loadPage(panel, agent, paths); // warm-up
    for (let i = 0; i < loads; i++) {
      const t0 = performance.now();
      await engineGet('/containers/json?all=1');
      raw.push(performance.now() - t0);
      times.dashboard.push(await loadPage(panel, agent, PAGES.dashboard()));
      times.containers.push(await loadPage(panel, agent, PAGES.containers()));
      const id = projectIds[i % projectIds.length] as string;
      times.project.push(await loadPage(panel, agent, PAGES.project(id)));
    }
    let left = 60;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (left-- > 0) await panel.get('/api/v1/containers', agent);
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  const busy = rssMiB(panel.pid);
  await sleep(10_000);
  const after = rssMiB(panel.pid);
  agent.destroy();
  const rawP95 = percentile(raw, 0.95);
  const page = (name: keyof typeof PAGES, what: string): Figure => {
    const p95 = percentile(times[name], 0.95);
    return {
      figure: `${what} page, 1,000 containers / 200 projects, p95`,
      panel: `${p95.toFixed(1)} ms (p50 ${percentile(times[name], 0.5).toFixed(1)})`,
      reference: `raw engine list p95 ${rawP95.toFixed(1)} ms`,
      ratio: null,
      target: '< 100 ms',
      met: p95 < 100,
    };
  };
  return [
    page('containers', 'containers'),
    page('dashboard', 'dashboard'),
    page('project', 'project'),
    {
      figure: 'memory growth over that load, after 10 s idle',
      panel: `+${(after - before).toFixed(1)} MiB (${before.toFixed(1)} → ${after.toFixed(1)}; right after ${busy.toFixed(1)}, peak ${peak.toFixed(1)})`,
      reference: `idle RSS before ${before.toFixed(1)} MiB`,
      ratio: null,
      target: '< 30 MiB',
      met: after - before < 30,
    },
  ];
}
