/**
 * The panel is SIGKILLed while a blue/green redeploy watches its new release (the route already
 * switched, the old release still draining), then restarted on the same data dir. What the route
 * points at is what serves: the new release stays, live; the old container, its port reservation and
 * nothing else of the attempt remain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_CLOUDFLARED, FAKE_SYSTEMCTL, removeProjectContainers } from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { call, type PanelProcess, startPanel } from '../support/panel-process.js';
import { releaseImage, retag, served } from '../support/release-images.js';

const noDocker = await skipWithoutDocker();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(panel: PanelProcess, jobId: string, text: string | RegExp): Promise<void> {
  for (let i = 0; ; i++) {
    const status = (await call(panel, 'GET', `/api/v1/jobs/${jobId}`)).json.status;
    const logs = (await call(panel, 'GET', `/api/v1/jobs/${jobId}/logs`)).json.lines
      .map((l: { text: string }) => l.text)
      .join('\n');
    if (typeof text === 'string' ? logs.includes(text) : text.test(logs)) return;
    if (i > 900 || !['queued', 'running'].includes(status)) throw new Error(`job ${status}:\n${logs}`);
    await sleep(100);
  }
}

describe.skipIf(noDocker)('panel killed while a new release is live and the old one drains', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('keeps the release the route points at, and removes the other', async () => {
    const docker = await requireDocker();
    await releaseImage(docker, 'v1');
    await releaseImage(docker, 'v2');
    const run = newRunId();
    const repo = `warp-test/crash-app-${run}`;
    await retag(docker, 'warp-test/release-v1:latest', repo);
    cleanups.push(() =>
      docker
        .getImage(`${repo}:latest`)
        .remove()
        .catch(() => {}),
    );
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-fault-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const configFile = path.join(dataDir, 'cloudflared', 'config.yml');
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(configFile, 'tunnel: home\ningress:\n  - service: http_status:404\n');
    const env = {
      WARP_DATA_DIR: dataDir,
      WARP_LOG_LEVEL: 'info',
      WARP_CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
      WARP_SYSTEMCTL_BIN: FAKE_SYSTEMCTL,
      WARP_CLOUDFLARED_CONFIG: configFile,
      WARP_BASE_DOMAIN: 'example.test',
      WARP_TUNNEL_NAME: 'home',
      WARP_TUNNEL_RESTART: 'none',
      WARP_SECRET_KEY: 'd'.repeat(64),
      WARP_PORT_RANGE: '18950-18999',
    };
    let panel = await startPanel(env);
    cleanups.push(() => panel.kill());
    // A long drain: the redeploy sits in its watch while the old release still runs.
    expect((await call(panel, 'PATCH', '/api/v1/settings', { releases: { drainSeconds: 120 } })).status).toBe(
      200,
    );
    const res = await call(panel, 'POST', '/api/v1/projects/quick-service', {
      image: `${repo}:latest`,
      subdomain: `crash${run}`.slice(0, 30),
    });
    expect(res.status, res.text).toBe(202);
    const { project, job } = res.json;
    cleanups.push(async () => {
      for (const i of await docker.listImages({ filters: { reference: [`warp-release/${project.id}`] } })) {
        for (const tag of i.RepoTags ?? [])
          await docker
            .getImage(tag)
            .remove()
            .catch(() => {});
      }
    });
    cleanups.push(() => removeProjectContainers(docker, [project.id]));
    await until(panel, job.id, /live at https/);
    const first = (await call(panel, 'GET', `/api/v1/projects/${project.id}`)).json;

    await retag(docker, 'warp-test/release-v2:latest', repo);
    const re = await call(panel, 'POST', `/api/v1/projects/${project.id}/redeploy`);
    await until(panel, re.json.job.id, 'Watching the new release for 120 s while the previous one drains');
    const mine = () =>
      docker.listContainers({ all: true, filters: { label: [`warp.project=${project.id}`] } });
    expect(await mine()).toHaveLength(2);

    await panel.kill();
    panel = await startPanel(env);

    expect((await call(panel, 'GET', `/api/v1/jobs/${re.json.job.id}`)).json.status).toBe('interrupted');
    const after = (await call(panel, 'GET', `/api/v1/projects/${project.id}`)).json;
    expect(after.status).toBe('running');
    expect(after.hostPort).not.toBe(first.hostPort);
    expect(await served(after.hostPort)).toBe('v2');
    const left = await mine();
    expect(left.map((c) => c.Names[0])).toEqual([`/${after.containerNames[0]}`]);
    expect(fs.readFileSync(configFile, 'utf8')).toContain(`service: http://localhost:${after.hostPort}`);
    const releases = (await call(panel, 'GET', `/api/v1/projects/${project.id}/releases`)).json.items;
    expect(releases.map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([
      [2, true],
      [1, false],
    ]);
  });
});
