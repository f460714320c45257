/**
 * Quick service from a local image: API call → route published, against the same steps done directly
 * on the engine (create + start + the same health probe) in the same run.
 * Run: npx tsx bench/deploy.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/lib/logger.js';
import { deployEnv, ensureDeployImages, WEB_IMAGE } from '../test/support/deploy-env.js';
import { requireDocker } from '../test/support/docker.js';
import { directWithGate } from './lib/engine.js';

const RUNS = 5;
const print = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const docker = await requireDocker();
await ensureDeployImages(docker);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-deploy-'));
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

async function panelRuns(stableMs: number): Promise<number[]> {
  const app = await createApp({ config, logger: createLogger('warn'), healthGate: { stableMs } });
  const { token } = await app.services.auth.issueLoginToken('cli');
  const login = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
  const cookie = `warp_session=${login.cookies[0]?.value}`;
  const headers = { cookie, 'x-warp-request': '1' };
  app.runner.start();
  const times: number[] = [];
  // Run 0 warms up (engine client negotiation, first image inspect) and is not counted.
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/quick-service',
      headers,
      payload: { image: WEB_IMAGE, subdomain: `bench${stableMs}x${i}` },
    });
    const { job, project } = res.json();
    for (;;) {
      const j = (await app.http.inject({ url: `/api/v1/jobs/${job.id}`, headers })).json();
      if (j.status === 'succeeded') break;
      if (j.status !== 'queued' && j.status !== 'running')
        throw new Error(`job ${j.status}: ${j.error?.message}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (i > 0) times.push(performance.now() - t0);
    const del = await app.http.inject({ method: 'DELETE', url: `/api/v1/projects/${project.id}`, headers });
    for (;;) {
      const j = (await app.http.inject({ url: `/api/v1/jobs/${del.json().job.id}`, headers })).json();
      if (j.status !== 'queued' && j.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await app.close();
  return times;
}

async function directRuns(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++)
    times.push(await directWithGate(docker, WEB_IMAGE, `bench-direct-${i}`, 18790 + i));
  return times;
}

const direct = await directRuns();
const panel = await panelRuns(0);
const panelDefault = await panelRuns(3000);
fs.rmSync(dataDir, { recursive: true, force: true });
const d = median(direct);
const p = median(panel);
print(`direct engine (create + start + health probe): median ${d.toFixed(0)} ms`);
print(
  `panel, API call → route published (no stabilisation window): median ${p.toFixed(0)} ms; overhead ${(p - d).toFixed(0)} ms (${(p / d).toFixed(2)}×)`,
);
print(`panel with the default 3 s stabilisation window: median ${median(panelDefault).toFixed(0)} ms`);
