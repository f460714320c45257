/**
 * Status is the truth: a project's status follows its containers through the engine's event stream
 * (stop/start/rm on the host with `docker`, or the panel's own stop/start/restart), and is reconciled
 * at start-up. Real engine, real compose.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectStatusWatcher } from '../../src/features/deploy/index.js';
import { watchContainerEvents } from '../../src/integrations/docker/docker-events.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitFor, waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

const COMPOSE = `services:
  web:
    image: ${WEB_IMAGE}
    init: true
    ports:
      - "80"
  worker:
    image: ${WEB_IMAGE}
    command: ["sleep", "3600"]
    init: true
`;

describe.skipIf(skip)('project status follows the engine', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  const projectIds: string[] = [];
  const composeProjects: string[] = [];

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload: payload as object } : {}) });
  const project = async (id: string) => (await api('GET', `/api/v1/projects/${id}`)).json();
  const statusOf = (id: string, status: string) =>
    waitFor(`project ${id} to be ${status}`, async () => {
      const p = await project(id);
      return p.status === status ? p : undefined;
    });

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    t = await createTestApp({ env: deployEnv('18600-18699') });
    writeTunnelConfig(t);
    auth = await t.adminBearer();
    await t.app.runner.start();
    await t.app.projectStatus.start();
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds);
    await removeComposeProjects(docker, composeProjects);
    await t.close();
  });

  it('shows a quick service stopped, running and missing as the host changes it with docker', async () => {
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: WEB_IMAGE,
      subdomain: 'truth',
      name: `truth-${process.pid}`,
    });
    expect(res.statusCode, res.body).toBe(202);
    const { project: p, job } = res.json();
    projectIds.push(p.id);
    expect(job.title).toBe('Deploy truth.example.test (quick service)');
    expect((await waitForJob(t, auth, job.id)).status, await jobLog(t, auth, job.id)).toBe('succeeded');
    const name = (await project(p.id)).containerNames[0] as string;

    await docker.getContainer(name).stop({ t: 1 });
    expect((await statusOf(p.id, 'stopped')).statusReason).toContain(name);
    await docker.getContainer(name).start();
    expect((await statusOf(p.id, 'running')).statusReason).toBeNull();

    // Reconciled at start-up: a change while the panel was not watching is seen when it starts again.
    await t.app.projectStatus.stop();
    await docker.getContainer(name).stop({ t: 1 });
    await docker.getContainer(name).wait({ condition: 'not-running' });
    expect((await project(p.id)).status).toBe('running');
    await t.app.projectStatus.start();
    expect((await project(p.id)).status).toBe('stopped');
    await docker.getContainer(name).start();
    await statusOf(p.id, 'running');

    await docker.getContainer(name).remove({ force: true });
    expect((await statusOf(p.id, 'missing')).statusReason).toBe('its containers are gone');

    // A missing project comes back with a redeploy.
    const again = await api('POST', `/api/v1/projects/${p.id}/redeploy`);
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json().job.title).toBe('Redeploy truth.example.test');
    expect((await waitForJob(t, auth, again.json().job.id)).status).toBe('succeeded');
    await statusOf(p.id, 'running');
  });

  it('stops, starts and restarts a quick service through jobs', async () => {
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: WEB_IMAGE,
      subdomain: 'buttons',
    });
    const { project: p, job } = res.json();
    projectIds.push(p.id);
    expect((await waitForJob(t, auth, job.id)).status, await jobLog(t, auth, job.id)).toBe('succeeded');
    const name = (await project(p.id)).containerNames[0] as string;

    const stop = await api('POST', `/api/v1/projects/${p.id}/stop`);
    expect(stop.statusCode, stop.body).toBe(202);
    expect(stop.json()).toMatchObject({
      project: { id: p.id },
      job: { type: 'project_stop', title: 'Stop buttons.example.test' },
    });
    expect((await waitForJob(t, auth, stop.json().job.id)).status).toBe('succeeded');
    expect((await project(p.id)).status, await jobLog(t, auth, stop.json().job.id)).toBe('stopped');
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(false);

    const start = await api('POST', `/api/v1/projects/${p.id}/start`);
    expect(start.statusCode).toBe(202);
    expect((await waitForJob(t, auth, start.json().job.id)).status).toBe('succeeded');
    expect((await project(p.id)).status).toBe('running');
    const startedAt = (await docker.getContainer(name).inspect()).State.StartedAt;

    const restart = await api('POST', `/api/v1/projects/${p.id}/restart`);
    expect(restart.statusCode).toBe(202);
    expect((await waitForJob(t, auth, restart.json().job.id)).status).toBe('succeeded');
    const info = await docker.getContainer(name).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.State.StartedAt).not.toBe(startedAt);

    // Every job the API returns carries a title for people.
    const jobs = (await api('GET', `/api/v1/jobs?projectId=${p.id}`)).json().items;
    expect(jobs.map((j: { title: string }) => j.title)).toEqual([
      'Restart buttons.example.test',
      'Start buttons.example.test',
      'Stop buttons.example.test',
      'Deploy buttons.example.test (quick service)',
    ]);
  });

  it('shows a compose project degraded when one of its containers stops, and acts on it with compose', async () => {
    const dir = path.join(t.app.config.reposRoot, 'pair');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE);
    const res = await api('POST', '/api/v1/projects/deploy-existing', { path: 'pair', subdomain: 'pair' });
    expect(res.statusCode, res.body).toBe(202);
    const { project: p, job } = res.json();
    projectIds.push(p.id);
    composeProjects.push(p.composeProject);
    expect(job.title).toBe('Deploy pair.example.test (compose project)');
    expect((await waitForJob(t, auth, job.id)).status, await jobLog(t, auth, job.id)).toBe('succeeded');

    const list = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${p.composeProject}`] },
    });
    const worker = list.find((c) => c.Labels['com.docker.compose.service'] === 'worker')!;
    await docker.getContainer(worker.Id).stop({ t: 1 });
    const degraded = await statusOf(p.id, 'degraded');
    expect(degraded.statusReason).toMatch(/^1 of 2 containers is not running: .*worker/);

    const stop = await api('POST', `/api/v1/projects/${p.id}/stop`);
    expect((await waitForJob(t, auth, stop.json().job.id)).status).toBe('succeeded');
    expect(await jobLog(t, auth, stop.json().job.id)).toContain('compose stop');
    await statusOf(p.id, 'stopped');
    const start = await api('POST', `/api/v1/projects/${p.id}/start`);
    expect((await waitForJob(t, auth, start.json().job.id)).status).toBe('succeeded');
    await statusOf(p.id, 'running');
  });

  it('reconciles after the event stream reconnects (events missed while it was down)', async () => {
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: WEB_IMAGE,
      subdomain: 'reconnect',
    });
    const { project: p, job } = res.json();
    projectIds.push(p.id);
    expect((await waitForJob(t, auth, job.id)).status).toBe('succeeded');
    const name = (await project(p.id)).containerNames[0] as string;
    await t.app.projectStatus.stop();

    // A watcher whose stream the test cuts, and whose reconnect waits until the test lets it.
    let cut: (() => void) | null = null;
    let subscriptions = 0;
    let allowReconnect!: () => void;
    const reconnectAllowed = new Promise<void>((r) => {
      allowReconnect = r;
    });
    const watcher = createProjectStatusWatcher({
      docker: t.app.docker,
      projectsRepo: t.app.repos.projects,
      clock: systemClock,
      log: createLogger('silent'),
      watch: async (docker, opts) => {
        subscriptions += 1;
        if (subscriptions > 1) await reconnectAllowed;
        const close = await watchContainerEvents(docker, opts);
        cut = () => {
          close();
          opts.onEnd?.(new Error('cut by the test'));
        };
        return close;
      },
    });
    await watcher.start();
    try {
      cut!();
      // While no stream is open, the container stops: no event can reach the watcher.
      await docker.getContainer(name).stop({ t: 1 });
      await docker.getContainer(name).wait({ condition: 'not-running' });
      expect((await project(p.id)).status).toBe('running');
      allowReconnect();
      expect((await statusOf(p.id, 'stopped')).status).toBe('stopped');
      expect(subscriptions).toBe(2);
    } finally {
      await watcher.stop();
      await t.app.projectStatus.start();
    }
  });

  it('answers 404 for an unknown project', async () => {
    const missing = await api('POST', '/api/v1/projects/0190a0b1-0000-7000-8000-000000000000/stop');
    expect(missing.statusCode).toBe(404);
  });
});
