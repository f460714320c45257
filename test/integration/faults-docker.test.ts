import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { ensureFaultImages, SLOW_WEB_IMAGE } from '../support/fault-images.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/*
 * Restarts the Docker engine in the middle of a deploy. Every other suite shares that engine, so this
 * runs only when asked: WARP_FAULTS_DOCKER_RESTART=1 npx vitest run test/integration/faults-docker.test.ts
 * It handles an engine started by hand (`dockerd` under nohup, as in CI) and a systemd `docker` unit.
 */
const enabled = process.env.WARP_FAULTS_DOCKER_RESTART === '1';
const skip = !enabled || (await skipWithoutDocker());

function dockerdPid(): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'dockerd') return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}

async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stop the engine and start it again the way it was started; resolves when it answers again. */
async function restartEngine(docker: Docker): Promise<void> {
  const pid = dockerdPid();
  if (pid === null) throw new Error('no dockerd process to restart');
  process.kill(pid, 'SIGTERM');
  await waitFor(() => dockerdPid() === null, 'dockerd to exit');
  const log = fs.openSync('/var/log/dockerd.log', 'a');
  spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  await waitFor(
    () =>
      docker.ping().then(
        () => true,
        () => false,
      ),
    'dockerd to answer again',
  );
}

describe.skipIf(skip)('the Docker engine restarted during a deploy', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let configFile: string;
  const projectIds: string[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    await ensureFaultImages(docker);
    t = await createTestApp({ env: deployEnv('18600-18699') });
    configFile = writeTunnelConfig(t);
    auth = await t.adminBearer();
    await t.app.runner.start();
  });
  afterAll(async () => {
    await removeProjectContainers(docker, projectIds);
    await t?.close();
  });

  const deploy = async (image: string, subdomain: string) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/quick-service',
      headers: auth,
      payload: { image, subdomain },
    });
    expect(res.statusCode, res.body).toBe(202);
    projectIds.push(res.json().project.id);
    return res.json() as { project: { id: string }; job: { id: string } };
  };

  it('ends the deploy consistently, and the panel deploys again once the engine is back', async () => {
    const configBefore = fs.readFileSync(configFile, 'utf8');
    const { project, job } = await deploy(SLOW_WEB_IMAGE, 'engine');
    await waitFor(
      async () => (await jobLog(t, auth, job.id)).includes('Waiting for the app'),
      'the health gate',
    );
    await restartEngine(docker);

    const done = await waitForJob(t, auth, job.id, 120_000);
    const log = await jobLog(t, auth, job.id);
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`warp.project=${project.id}`] },
    });
    const reservations = await t.app.db.kysely
      .selectFrom('port_reservations')
      .selectAll()
      .where('project_id', '=', project.id)
      .execute();
    const routes = await t.app.db.kysely
      .selectFrom('routes')
      .selectAll()
      .where('project_id', '=', project.id)
      .execute();
    const got = (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).json();
    // Either way the state tells the truth: a failed deploy left nothing behind; nothing half-published.
    expect(done.status, log).toBe('failed');
    expect(got.status).toBe('failed');
    expect(left, log).toEqual([]);
    expect(reservations).toEqual([]);
    expect(routes).toEqual([]);
    expect(fs.readFileSync(configFile, 'utf8')).toBe(configBefore);

    process.stdout.write(
      `faults-docker: deploy ${done.status}: ${done.error?.message}\n${log.split('\n').slice(-8).join('\n')}\n`,
    );
    const health = await t.app.http.inject({ url: '/health/docker' });
    expect(health.statusCode, health.body).toBe(200);
    const again = await deploy(WEB_IMAGE, 'engine2');
    const redone = await waitForJob(t, auth, again.job.id);
    expect(redone.status, await jobLog(t, auth, again.job.id)).toBe('succeeded');
  }, 240_000);
});
