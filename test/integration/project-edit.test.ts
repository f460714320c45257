/**
 * A failed deploy is not a dead end: PATCH the project with the fields of its create request, then
 * redeploy from `failed`. Its subdomain stays held (409 naming it), a failed attempt leaves no
 * volumes, and a forward is honest about a port nothing answers on. Real engine, real compose.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRASH_IMAGE,
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

describe.skipIf(skip)('editing and retrying projects', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let configFile: string;
  const projectIds: string[] = [];
  const composeProjects: string[] = [];

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload: payload as object } : {}) });
  const project = async (id: string) => (await api('GET', `/api/v1/projects/${id}`)).json();
  const quick = async (payload: Record<string, unknown>) => {
    const res = await api('POST', '/api/v1/projects/quick-service', payload);
    if (res.statusCode === 202) projectIds.push(res.json().project.id);
    return res;
  };

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    t = await createTestApp({ env: deployEnv('19600-19699') });
    configFile = writeTunnelConfig(t);
    auth = await t.adminBearer();
    await t.app.runner.start();
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds);
    await removeComposeProjects(docker, composeProjects);
    await t.close();
  });

  it('edits a project whose first deploy failed and deploys it again', async () => {
    const res = await quick({ image: CRASH_IMAGE, subdomain: 'retry', containerPort: 80 });
    expect(res.statusCode, res.body).toBe(202);
    const { project: p, job } = res.json();
    expect((await waitForJob(t, auth, job.id)).status).toBe('failed');
    expect((await project(p.id)).status).toBe('failed');

    // Held by the failed project, though nothing was ever published: the 409 names and links it.
    const taken = await quick({ image: WEB_IMAGE, subdomain: 'retry' });
    expect(taken.statusCode).toBe(409);
    const error = taken.json().error;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).not.toContain('already routed');
    expect(error.message).toContain(`held by project ${p.name}`);
    expect(error.details).toEqual([
      { path: 'subdomain', message: `held by project ${p.name}`, projectId: p.id },
    ]);

    // Bad edits: every problem on its field, nothing changed.
    const before = await project(p.id);
    const bad = await api('PATCH', `/api/v1/projects/${p.id}`, {
      image: 'not an image!',
      branch: 'main',
      service: 'web',
      env: { 'BAD-NAME': 'x' },
    });
    expect(bad.statusCode, bad.body).toBe(400);
    const paths = bad.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['image', 'branch', 'service', 'env.BAD-NAME']));
    expect(await project(p.id)).toEqual(before);
    expect((await api('PATCH', `/api/v1/projects/${p.id}`, {})).statusCode).toBe(400);
    expect((await api('PATCH', `/api/v1/projects/${p.id}`, { bogus: 1 })).statusCode).toBe(400);

    const edited = await api('PATCH', `/api/v1/projects/${p.id}`, {
      image: WEB_IMAGE,
      env: { GREETING: 'hello' },
      subdomain: 'retried',
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      image: WEB_IMAGE,
      subdomain: 'retried',
      hostname: 'retried.example.test',
      status: 'failed',
      settings: { containerPort: 80, envNames: ['GREETING'] },
    });
    expect(JSON.stringify(edited.json())).not.toContain('hello');
    // The old subdomain is free again; the new one is held.
    expect((await quick({ image: WEB_IMAGE, subdomain: 'retried' })).statusCode).toBe(409);

    const again = await api('POST', `/api/v1/projects/${p.id}/redeploy`);
    expect(again.statusCode, again.body).toBe(202);
    const done = await waitForJob(t, auth, again.json().job.id);
    expect(done.status, await jobLog(t, auth, done.id)).toBe('succeeded');
    const live = await project(p.id);
    expect(live.status).toBe('running');
    const info = await docker.getContainer(live.containerNames[0]).inspect();
    expect(info.Config.Image).toBe(WEB_IMAGE);
    expect(info.Config.Env).toContain('GREETING=hello');
    expect(fs.readFileSync(configFile, 'utf8')).toContain('hostname: retried.example.test');

    // A later subdomain change moves the route at the next deploy: one hostname, never two.
    expect((await api('PATCH', `/api/v1/projects/${p.id}`, { subdomain: 'moved' })).statusCode).toBe(200);
    const moved = await api('POST', `/api/v1/projects/${p.id}/redeploy`);
    expect((await waitForJob(t, auth, moved.json().job.id)).status).toBe('succeeded');
    const config = fs.readFileSync(configFile, 'utf8');
    expect(config).toContain('hostname: moved.example.test');
    expect(config).not.toContain('retried.example.test');
  });

  it('refuses a move to the Swarm on a single engine (422) and replicas on the host (400), changing nothing', async () => {
    const res = await quick({ image: WEB_IMAGE, subdomain: 'stay-here' });
    expect(res.statusCode, res.body).toBe(202);
    const { project: p, job } = res.json();
    expect((await waitForJob(t, auth, job.id)).status).toBe('succeeded');
    const before = await project(p.id);
    expect(before.settings).toMatchObject({ target: 'host', replicas: null });
    const swarm = await api('PATCH', `/api/v1/projects/${p.id}`, { target: 'swarm', replicas: 2 });
    expect(swarm.statusCode, swarm.body).toBe(422);
    expect(swarm.json().error.message).toMatch(/not in Swarm mode/);
    const replicas = await api('PATCH', `/api/v1/projects/${p.id}`, { replicas: 2 });
    expect(replicas.statusCode, replicas.body).toBe(400);
    expect(replicas.json().error.details.map((d: { path: string }) => d.path)).toEqual(['replicas']);
    expect(await project(p.id)).toEqual(before);
    // Where it runs already: accepted, and nothing moves.
    const same = await api('PATCH', `/api/v1/projects/${p.id}`, { target: 'host' });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ target: 'host', settings: { target: 'host', replicas: null } });
  });

  it('stores branch and autoDeploy for a project from a repository, and refuses fields of other kinds', async () => {
    const now = new Date().toISOString();
    const id = '01900000-0000-7000-8000-00000000ed17';
    await t.app.repos.projects.insert({
      id,
      name: 'from-repo',
      kind: 'existing',
      subdomain: 'fromrepo',
      hostname: 'fromrepo.example.test',
      host_port: null,
      status: 'failed',
      repo_owner: 'acme',
      repo_name: 'shop',
      repo_url: null,
      image: null,
      path: 'shop',
      compose_project: 'warp-from-repo-edit',
      container_names: '[]',
      spec: '{}',
      created_by: null,
      created_at: now,
      updated_at: now,
      last_job_id: null,
      status_reason: null,
    });
    const ok = await api('PATCH', `/api/v1/projects/${id}`, {
      branch: 'release/2',
      autoDeploy: true,
      service: 'web',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().settings).toMatchObject({ branch: 'release/2', autoDeploy: true, service: 'web' });
    const bad = await api('PATCH', `/api/v1/projects/${id}`, {
      image: WEB_IMAGE,
      containerPort: 80,
      branch: 'a..b',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { path: string }) => d.path)
        .sort(),
    ).toEqual(['branch', 'containerPort', 'image']);
  });

  it('removes the volumes a failed first compose deploy created', async () => {
    const dir = path.join(t.app.config.reposRoot, 'leaky');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      `services:\n  app:\n    image: ${CRASH_IMAGE}\n    ports:\n      - "80"\n    volumes:\n      - data:/data\nvolumes:\n  data: {}\n`,
    );
    const res = await api('POST', '/api/v1/projects/deploy-existing', { path: 'leaky', subdomain: 'leaky' });
    expect(res.statusCode, res.body).toBe(202);
    const { project: p, job } = res.json();
    projectIds.push(p.id);
    composeProjects.push(p.composeProject);
    const done = await waitForJob(t, auth, job.id);
    expect(done.status).toBe('failed');
    expect(await jobLog(t, auth, done.id)).toContain('with its volumes');
    await expect(docker.getVolume(`${p.composeProject}_data`).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });

    // The service to publish is checked against the compose file, as deploy-existing checks it.
    const wrong = await api('PATCH', `/api/v1/projects/${p.id}`, { service: 'nope' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details).toEqual([
      { path: 'service', message: 'the compose file has no service nope (it has app)' },
    ]);
    const right = await api('PATCH', `/api/v1/projects/${p.id}`, { service: 'app' });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json().settings.service).toBe('app');
  });

  it('ends a forward to a silent port as a warning, and refuses a port another project owns', async () => {
    // A port that nothing listens on: taken from the system, then closed again.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const silent = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const res = await api('POST', '/api/v1/forwards', { port: silent, subdomain: 'silent' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().job.title).toBe(`Publish port ${silent} at silent.example.test`);
    const done = await waitForJob(t, auth, res.json().job.id);
    expect(done.status).toBe('succeeded');
    const warning = `published — nothing answers on port ${silent} yet`;
    expect(done.result).toMatchObject({ warning });
    expect(await jobLog(t, auth, done.id)).toContain(`warning: ${warning}`);
    const fwd = await project(res.json().project.id);
    expect(fwd).toMatchObject({ status: 'degraded', statusReason: warning });

    // A forward runs no containers: nothing to stop.
    const stop = await api('POST', `/api/v1/projects/${fwd.id}/stop`);
    expect(stop.statusCode).toBe(409);

    // The port a quick service publishes belongs to it.
    const owner = await quick({ image: WEB_IMAGE, subdomain: 'owner' });
    expect((await waitForJob(t, auth, owner.json().job.id)).status).toBe('succeeded');
    const owned = (await project(owner.json().project.id)).hostPort as number;
    const refused = await api('POST', '/api/v1/forwards', { port: owned, subdomain: 'thief' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain(`belongs to project ${owner.json().project.name}`);
    expect(refused.json().error.details).toEqual([
      {
        path: 'port',
        message: `owned by project ${owner.json().project.name}`,
        projectId: owner.json().project.id,
      },
    ]);
    expect((await api('PATCH', `/api/v1/projects/${fwd.id}`, { port: owned })).statusCode).toBe(409);
  });
});
