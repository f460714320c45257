import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasComposeV1 } from '../support/compose.js';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const hasV1 = hasComposeV1();
const hasV2 = spawnSync('docker', ['compose', 'version', '--short']).status === 0;
// Both where both are installed (the main CI pass); v1 alone in the compatibility pass.
const flavours = [
  ...(hasV1 ? (['docker-compose'] as const) : []),
  ...(hasV2 ? (['docker compose'] as const) : []),
];

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

describe.skipIf(skip || flavours.length === 0).each(flavours)('compose projects with %s', (flavour) => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let repos: string;
  const composeProjects: string[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    t = await createTestApp({
      env: {
        ...deployEnv(flavour === 'docker compose' ? '18300-18399' : '18200-18299'),
        WARP_COMPOSE: flavour,
      },
    });
    writeTunnelConfig(t);
    repos = t.app.config.reposRoot;
    fs.mkdirSync(path.join(repos, 'shop'), { recursive: true });
    fs.writeFileSync(path.join(repos, 'shop', 'compose.yaml'), COMPOSE);
    fs.mkdirSync(path.join(repos, 'noproxy'), { recursive: true });
    fs.writeFileSync(
      path.join(repos, 'noproxy', 'compose.yaml'),
      `services:\n  a:\n    image: ${WEB_IMAGE}\n`,
    );
    auth = await t.adminBearer();
    t.app.runner.start();
  });

  afterAll(async () => {
    await removeComposeProjects(docker, composeProjects);
    await t.close();
  });

  const post = (url: string, payload?: Record<string, unknown>) =>
    t.app.http.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

  it('deploys a host folder as warp-<slug> without touching the user file, then takes it down', async () => {
    const original = fs.readFileSync(path.join(repos, 'shop', 'compose.yaml'), 'utf8');
    const res = await post('/api/v1/projects/deploy-existing', { path: 'shop', subdomain: 'shop' });
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    composeProjects.push(project.composeProject);
    expect(project.composeProject).toBe('warp-shop');
    const done = await waitForJob(t, auth, job.id);
    const log = await jobLog(t, auth, job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log).toContain(flavour === 'docker compose' ? 'docker compose up' : 'docker-compose up');

    expect(fs.readFileSync(path.join(repos, 'shop', 'compose.yaml'), 'utf8')).toBe(original);
    expect(fs.readdirSync(path.join(repos, 'shop'))).toEqual(['compose.yaml']); // nothing written there
    const got = (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).json();
    const file = path.join(t.dataDir, 'compose', project.id, 'compose.json');
    const model = JSON.parse(fs.readFileSync(file, 'utf8'));
    // v2 reads the long form Compose printed; v1 knows neither `host_ip` nor `name:`.
    expect(model.services.web.ports).toEqual([
      flavour === 'docker compose'
        ? {
            mode: 'ingress',
            host_ip: '127.0.0.1',
            target: 80,
            published: String(got.hostPort),
            protocol: 'tcp',
          }
        : `127.0.0.1:${got.hostPort}:80/tcp`,
    ]);
    expect(model.name).toBe(flavour === 'docker compose' ? 'warp-shop' : undefined);
    const plan = (
      await t.app.http.inject({ url: `/api/v1/projects/${project.id}/plan`, headers: auth })
    ).json();
    expect(plan.plan).toMatchObject({ service: 'web', containerPort: 80, hostPort: got.hostPort });
    expect(plan.plan.model.services.web.ports).toEqual(model.services.web.ports);
    expect(got.status).toBe('running');
    const web = (
      await docker.listContainers({
        filters: { label: ['com.docker.compose.project=warp-shop', 'com.docker.compose.service=web'] },
      })
    )[0]!;
    expect(web.Ports.filter((p) => p.PublicPort)).toEqual([
      { IP: '127.0.0.1', PrivatePort: 80, PublicPort: got.hostPort, Type: 'tcp' },
    ]);
    expect(got.containerNames).toHaveLength(2);

    const running = await docker.listContainers({
      filters: { label: ['com.docker.compose.project=warp-shop'] },
    });
    expect(running).toHaveLength(2);
    for (const c of running) expect(c.Labels['warp.project']).toBe(project.id);

    const listed = (await t.app.http.inject({ url: '/api/v1/host/repos', headers: auth })).json().items;
    expect(listed.find((r: { name: string }) => r.name === 'shop')).toMatchObject({
      composeProject: 'warp-shop',
      status: 'running',
      services: ['web', 'worker'],
      projectId: project.id,
    });

    const stop = await post('/api/v1/host/repos/shop/stop');
    expect(stop.statusCode).toBe(202);
    expect((await waitForJob(t, auth, stop.json().job.id)).status).toBe('succeeded');
    expect(
      await docker.listContainers({ filters: { label: ['com.docker.compose.project=warp-shop'] } }),
    ).toHaveLength(0);
    const restart = await post('/api/v1/host/repos/shop/restart');
    expect((await waitForJob(t, auth, restart.json().job.id)).status).toBe('succeeded');

    const del = await t.app.http.inject({
      method: 'DELETE',
      url: `/api/v1/projects/${project.id}`,
      headers: auth,
    });
    const gone = await waitForJob(t, auth, del.json().job.id);
    expect(gone.status, await jobLog(t, auth, gone.id)).toBe('succeeded');
    expect(
      await docker.listContainers({
        all: true,
        filters: { label: ['com.docker.compose.project=warp-shop'] },
      }),
    ).toHaveLength(0);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses traversal, missing folders and compose files without a proxy service before any job', async () => {
    for (const [payload, fragment] of [
      [{ path: '../etc', subdomain: 'x1' }, '..'],
      [{ path: '/etc', subdomain: 'x2' }, 'relative'],
      [{ path: 'nope', subdomain: 'x3' }, 'no folder'],
      [{ path: 'noproxy', subdomain: 'x4' }, 'warp.proxy'],
    ] as const) {
      const res = await post('/api/v1/projects/deploy-existing', payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(JSON.stringify(res.json().error)).toContain(fragment);
    }
    const jobs = (
      await t.app.http.inject({ url: '/api/v1/jobs?type=docker_compose_up', headers: auth })
    ).json().items;
    expect(jobs).toHaveLength(1);
  });
});
