/**
 * Fault injection with real processes: the panel is SIGKILLed while a quick-service deploy sits in its
 * health gate (the image starts listening only after 60 s), then restarted on the same data dir and
 * database. Afterwards: the job is interrupted, the project failed, and nothing is left behind — no
 * port reservation, no container, no route, config.yml byte-identical, no temp file next to it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createPostgresDatabase, testEngines } from '../support/databases.js';
import { FAKE_CLOUDFLARED, FAKE_SYSTEMCTL, removeProjectContainers } from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { ensureFaultImages, SLOW_SECOND_IMAGE, SLOW_WEB_IMAGE } from '../support/fault-images.js';
import { call, type PanelProcess, startPanel } from '../support/panel-process.js';

const noDocker = await skipWithoutDocker();
const engines = noDocker ? [] : await testEngines();
const CONFIG =
  'tunnel: home\ncredentials-file: /etc/cloudflared/home.json\ningress:\n  - hostname: nas.example.test\n    service: http://192.168.1.10:5000\n  - service: http_status:404\n';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A data dir with the foreign-rule config.yml, and the env of a panel publishing into it. */
function faultSetup(cleanups: (() => unknown)[], extra: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-fault-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const configFile = path.join(dataDir, 'cloudflared', 'config.yml');
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.writeFileSync(configFile, CONFIG);
  const env = {
    WARP_DATA_DIR: dataDir,
    WARP_LOG_LEVEL: 'info',
    WARP_CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
    WARP_SYSTEMCTL_BIN: FAKE_SYSTEMCTL,
    WARP_CLOUDFLARED_CONFIG: configFile,
    WARP_BASE_DOMAIN: 'example.test',
    WARP_TUNNEL_NAME: 'home',
    WARP_TUNNEL_RESTART: 'none',
    ...extra,
  };
  return { dataDir, configFile, env };
}

/** Wait until the job's deploy sits in its health gate (port reserved, container running). */
async function waitForHealthGate(panel: PanelProcess, jobId: string): Promise<void> {
  for (let i = 0; ; i++) {
    const logs = await call(panel, 'GET', `/api/v1/jobs/${jobId}/logs`);
    if (logs.text.includes('Waiting for the app to answer')) return;
    if (i > 300) throw new Error(`deploy never reached the health gate: ${logs.text}`);
    await sleep(100);
  }
}

describe.skipIf(noDocker)('panel killed mid-deploy', () => {
  let docker: Docker;
  beforeAll(async () => {
    docker = await requireDocker();
    await ensureFaultImages(docker);
  });

  describe.each(engines)('on %s', (engine) => {
    const cleanups: (() => Promise<unknown> | unknown)[] = [];
    afterAll(async () => {
      for (const fn of cleanups.reverse()) await fn();
    });

    it('recovers: job interrupted, project failed, no reservation, container, route or config change', async () => {
      let databaseUrl: string | null = null;
      if (engine === 'postgres') {
        const pg = await createPostgresDatabase();
        cleanups.push(pg.drop);
        databaseUrl = pg.url;
      }
      const { dataDir, configFile, env } = faultSetup(cleanups, {
        WARP_SECRET_KEY: 'b'.repeat(64),
        WARP_PORT_RANGE: engine === 'sqlite' ? '18800-18849' : '18850-18899',
        ...(databaseUrl ? { WARP_DATABASE_URL: databaseUrl } : {}),
      });
      databaseUrl ??= `sqlite:${path.join(dataDir, 'warp.db')}`;
      let panel: PanelProcess = await startPanel(env);
      cleanups.push(() => panel.kill());
      const res = await call(panel, 'POST', '/api/v1/projects/quick-service', {
        image: SLOW_WEB_IMAGE,
        subdomain: 'slow',
      });
      expect(res.status, res.text).toBe(202);
      const { project, job } = res.json;
      cleanups.push(() => removeProjectContainers(docker, [project.id]));

      await waitForHealthGate(panel, job.id);
      const during = await docker.listContainers({
        all: true,
        filters: { label: [`warp.project=${project.id}`] },
      });
      expect(during).toHaveLength(1);

      await panel.kill();
      panel = await startPanel(env);

      const after = await call(panel, 'GET', `/api/v1/jobs/${job.id}`);
      expect(after.json.status).toBe('interrupted');
      const logs = await call(panel, 'GET', `/api/v1/jobs/${job.id}/logs`);
      expect(logs.text).toContain('Job interrupted');
      const proj = await call(panel, 'GET', `/api/v1/projects/${project.id}`);
      expect(proj.json.status).toBe('failed');
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`warp.project=${project.id}`] },
      });
      expect(left.map((c) => c.Names)).toEqual([]);
      expect(fs.readFileSync(configFile, 'utf8')).toBe(CONFIG);
      expect(fs.readdirSync(path.dirname(configFile)).filter((f) => !f.startsWith('config.yml.bak'))).toEqual(
        ['config.yml'],
      );
      const tunnel = await call(panel, 'GET', '/api/v1/tunnel');
      expect(tunnel.json.rules.map((r: { hostname: string | null }) => r.hostname)).toEqual([
        'nas.example.test',
        null,
      ]);

      // The database: no reservation and no route left for the project.
      const db = await openDatabase(databaseUrl);
      try {
        const held = await db.kysely.selectFrom('port_reservations').selectAll().execute();
        expect(held).toEqual([]);
        expect(await db.kysely.selectFrom('routes').selectAll().execute()).toEqual([]);
      } finally {
        await db.close();
      }
    });
  });
});

describe.skipIf(noDocker)('panel killed mid-redeploy', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('puts the previous container back, running, with its port and route', async () => {
    const docker = await requireDocker();
    await ensureFaultImages(docker);
    const { configFile, env } = faultSetup(cleanups, {
      WARP_SECRET_KEY: 'c'.repeat(64),
      WARP_PORT_RANGE: '18900-18949',
    });
    let panel: PanelProcess = await startPanel(env);
    cleanups.push(() => panel.kill());
    const res = await call(panel, 'POST', '/api/v1/projects/quick-service', {
      image: SLOW_SECOND_IMAGE,
      subdomain: 'again',
    });
    expect(res.status, res.text).toBe(202);
    const { project, job } = res.json;
    cleanups.push(() => removeProjectContainers(docker, [project.id]));
    for (let i = 0; ; i++) {
      const j = await call(panel, 'GET', `/api/v1/jobs/${job.id}`);
      if (j.json.status === 'succeeded') break;
      if (i > 600 || !['queued', 'running'].includes(j.json.status))
        throw new Error(`first deploy: ${j.text}`);
      await sleep(100);
    }
    const first = (await call(panel, 'GET', `/api/v1/projects/${project.id}`)).json;
    const [firstContainer] = await docker.listContainers({
      filters: { label: [`warp.project=${project.id}`] },
    });
    expect(firstContainer).toBeDefined();

    const re = await call(panel, 'POST', `/api/v1/projects/${project.id}/redeploy`);
    expect(re.status, re.text).toBe(202);
    await waitForHealthGate(panel, re.json.job.id);
    expect(
      await docker.listContainers({ all: true, filters: { label: [`warp.project=${project.id}`] } }),
    ).toHaveLength(2);

    await panel.kill();
    panel = await startPanel(env);

    expect((await call(panel, 'GET', `/api/v1/jobs/${re.json.job.id}`)).json.status).toBe('interrupted');
    const after = (await call(panel, 'GET', `/api/v1/projects/${project.id}`)).json;
    expect(after).toMatchObject({
      status: 'running',
      hostPort: first.hostPort,
      containerNames: first.containerNames,
    });
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`warp.project=${project.id}`] },
    });
    expect(left.map((c) => ({ id: c.Id, name: c.Names[0], state: c.State }))).toEqual([
      { id: firstContainer!.Id, name: `/${first.containerNames[0]}`, state: 'running' },
    ]);
    expect(fs.readFileSync(configFile, 'utf8')).toContain(
      `  - hostname: again.example.test\n    service: http://localhost:${first.hostPort}`,
    );
  });
});
