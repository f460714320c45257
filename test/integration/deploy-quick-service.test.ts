import fs from 'node:fs';
import net from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRASH_IMAGE,
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

describe.skipIf(skip)('quick services on the real engine', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let configFile: string;
  const projectIds: string[] = [];
  const hostServers: net.Server[] = [];

  const post = (url: string, payload?: Record<string, unknown>) =>
    t.app.http.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
  const deploy = async (payload: Record<string, unknown>) => {
    const res = await post('/api/v1/projects/quick-service', payload);
    if (res.statusCode === 202) projectIds.push(res.json().project.id);
    return res;
  };
  const reservations = () => t.app.db.kysely.selectFrom('port_reservations').selectAll().execute();
  const routes = () => t.app.db.kysely.selectFrom('routes').selectAll().execute();

  let squatter: net.Server;
  let firstPort: number;

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    // A host process holds the first port of the range (a port the system gave it, so nothing else
    // can hold it): the free-port search must skip it.
    squatter = net.createServer();
    hostServers.push(squatter);
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.listen(0, '127.0.0.1', () => resolve());
    });
    firstPort = (squatter.address() as net.AddressInfo).port;
    t = await createTestApp({ env: deployEnv(`${firstPort}-${firstPort + 99}`) });
    configFile = writeTunnelConfig(t);
    auth = await t.adminBearer();
    // Redeploys are blue/green: a short drain keeps the suite quick.
    await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { releases: { drainSeconds: 1 } },
    });
    t.app.runner.start();
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds);
    for (const s of hostServers) s.close();
    await t.close();
  });

  it('runs the container first, then publishes it, and tears it down again', async () => {
    const res = await deploy({
      image: WEB_IMAGE,
      subdomain: 'web',
      containerPort: 80,
      env: { GREETING: 'hi there; $(reboot) `id` && rm -rf /' },
    });
    expect(res.statusCode).toBe(202);
    const { project, job } = res.json();
    expect(project).toMatchObject({ kind: 'quick', status: 'pending', hostname: 'web.example.test' });
    const done = await waitForJob(t, auth, job.id);
    expect(done.status, await jobLog(t, auth, job.id)).toBe('succeeded');

    const got = (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).json();
    expect(got).toMatchObject({
      status: 'running',
      url: 'https://web.example.test',
    });
    expect(got.hostPort).toBeGreaterThan(firstPort);

    // Named after the image; other suites running at the same time may hold `web`, hence the suffix.
    expect(got.containerNames).toEqual([expect.stringMatching(/^web(-\d+)?$/)]);
    const info = await docker.getContainer(got.containerNames[0]).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.HostConfig.PortBindings?.['80/tcp']).toEqual([
      { HostIp: '127.0.0.1', HostPort: String(got.hostPort) },
    ]);
    expect(info.Config.Labels).toMatchObject({ 'warp.managed': 'true', 'warp.project': project.id });
    // Shell metacharacters are data: the value arrives byte for byte, nothing interprets it.
    expect(info.Config.Env).toContain('GREETING=hi there; $(reboot) `id` && rm -rf /');

    const config = fs.readFileSync(configFile, 'utf8');
    expect(config).toContain(`  - hostname: web.example.test\n    service: http://localhost:${got.hostPort}`);
    expect(config).toContain('  - hostname: nas.example.test\n    service: http://192.168.1.10:5000');
    expect(config.trimEnd().endsWith('- service: http_status:404')).toBe(true);
    // The env value never reaches the job's input or log.
    expect(JSON.stringify(done)).not.toContain('hi there');
    expect(await jobLog(t, auth, job.id)).not.toContain('hi there');

    const del = await t.app.http.inject({
      method: 'DELETE',
      url: `/api/v1/projects/${project.id}`,
      headers: auth,
    });
    expect(del.statusCode).toBe(202);
    const gone = await waitForJob(t, auth, del.json().job.id);
    expect(gone.status, await jobLog(t, auth, gone.id)).toBe('succeeded');
    await expect(docker.getContainer(got.containerNames[0]).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(fs.readFileSync(configFile, 'utf8')).not.toContain('web.example.test');
    expect(await reservations()).toEqual([]);
    expect(await routes()).toEqual([]);
    expect(
      (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).statusCode,
    ).toBe(404);
  });

  it('refuses bad input with field details and creates nothing', async () => {
    const before = await docker.listContainers({ all: true });
    const bad = await deploy({
      image: 'busybox; rm -rf /',
      subdomain: 'Bad_Name',
      env: { 'BAD-NAME': 'x', OK: 'fine' },
      name: '-x',
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['image', 'subdomain', 'env.BAD-NAME', 'name']));
    for (const payload of [
      { image: '$(reboot)', subdomain: 'ok' },
      { image: 'nginx`id`', subdomain: 'ok' },
      { image: WEB_IMAGE, subdomain: 'www' },
      { image: WEB_IMAGE, subdomain: 'ok', containerPort: 70000 },
      { image: WEB_IMAGE, subdomain: 'ok', extra: true },
    ]) {
      expect((await deploy(payload)).statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await docker.listContainers({ all: true })).length).toBe(before.length);
    expect((await t.app.http.inject({ url: '/api/v1/projects', headers: auth })).json().items).toEqual([]);
  });

  it('answers 409 at once for a subdomain that is already routed', async () => {
    const hand = await deploy({ image: WEB_IMAGE, subdomain: 'nas' });
    expect(hand.statusCode).toBe(409);
    const first = await deploy({ image: WEB_IMAGE, subdomain: 'twice' });
    expect(first.statusCode).toBe(202);
    const second = await deploy({ image: WEB_IMAGE, subdomain: 'twice' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('CONFLICT');
    await waitForJob(t, auth, first.json().job.id);
  });

  it('fails a deploy whose app crashes, with its log lines, and leaves nothing behind', async () => {
    const res = await deploy({ image: CRASH_IMAGE, subdomain: 'crash' });
    const done = await waitForJob(t, auth, res.json().job.id);
    expect(done.status).toBe('failed');
    const log = await jobLog(t, auth, done.id);
    expect(log).toContain('crashing on purpose');
    expect(log).toContain('cleaning up');
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`warp.project=${res.json().project.id}`] },
    });
    expect(left).toEqual([]);
    expect((await routes()).map((r) => r.hostname)).not.toContain('crash.example.test');
    expect((await reservations()).map((r) => r.project_id)).not.toContain(res.json().project.id);
    expect(fs.readFileSync(configFile, 'utf8')).not.toContain('crash.example.test');
    const project = (
      await t.app.http.inject({ url: `/api/v1/projects/${res.json().project.id}`, headers: auth })
    ).json();
    expect(project.status).toBe('failed');
  });

  it('fails cleanly for an image that is neither local nor pullable', async () => {
    const res = await deploy({ image: 'registry.invalid/none/such:1', subdomain: 'missing' });
    expect(res.statusCode).toBe(202);
    const done = await waitForJob(t, auth, res.json().job.id);
    expect(done.status).toBe('failed');
    // The registry's failure in words, never the resolver's raw message.
    // (`.invalid` never resolves; without a DNS server at all the lookup may time out instead.)
    expect(done.error.code).toBe('UPSTREAM_ERROR');
    expect(done.error.message).toMatch(
      /^registry registry\.invalid is unreachable \((host name not found|timed out)\) while pulling registry\.invalid\/none\/such:1$/,
    );
    expect((await reservations()).map((r) => r.project_id)).not.toContain(res.json().project.id);
  });

  it('gives concurrent deploys distinct ports and names; a redeploy moves to a fresh port and keeps its name', async () => {
    const results = await Promise.all(
      ['c1', 'c2', 'c3', 'c4'].map((subdomain) => deploy({ image: WEB_IMAGE, subdomain, name: undefined })),
    );
    const jobs = await Promise.all(results.map((r) => waitForJob(t, auth, r.json().job.id)));
    for (const j of jobs) expect(j.status, await jobLog(t, auth, j.id)).toBe('succeeded');
    const projects = await Promise.all(
      results.map(async (r) =>
        (await t.app.http.inject({ url: `/api/v1/projects/${r.json().project.id}`, headers: auth })).json(),
      ),
    );
    const ports = new Set(projects.map((p) => p.hostPort));
    const names = new Set(projects.flatMap((p) => p.containerNames));
    expect(ports.size).toBe(4);
    expect(names.size).toBe(4);
    expect([...names].every((n) => /^web(-\d+)?$/.test(n))).toBe(true);

    const target = projects[0];
    const re = await post(`/api/v1/projects/${target.id}/redeploy`);
    expect(re.statusCode).toBe(202);
    const redone = await waitForJob(t, auth, re.json().job.id);
    expect(redone.status, await jobLog(t, auth, redone.id)).toBe('succeeded');
    const after = (await t.app.http.inject({ url: `/api/v1/projects/${target.id}`, headers: auth })).json();
    // Blue/green: the new release started beside the old one on its own port; the old port is free again.
    expect(after.hostPort).not.toBe(target.hostPort);
    expect((await reservations()).filter((r) => r.project_id === target.id).map((r) => r.port)).toEqual([
      after.hostPort,
    ]);
    expect(fs.readFileSync(configFile, 'utf8')).toContain(`service: http://localhost:${after.hostPort}`);
    expect(after.containerNames).toEqual(target.containerNames);
    const mine = await docker.listContainers({
      all: true,
      filters: { label: [`warp.project=${target.id}`] },
    });
    expect(mine).toHaveLength(1);
  });
});
