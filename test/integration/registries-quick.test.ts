// Quick services from a real registry (Debian's docker-registry 2.8 with htpasswd auth on loopback,
// behind the harness's pacing relay) through the whole panel: the allowed-registries rule, saved
// credentials, the check endpoint, progress in the job log, digests, redeploys, failures, cancel.
import crypto from 'node:crypto';
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
import { cleanupDocker, newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitFor, waitForJob } from '../support/job-helpers.js';
import {
  closedLoopbackPort,
  registryAvailable,
  startRegistry,
  type TestRegistry,
  webImageWithRandomLayer,
} from '../support/registry.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
if (!skip && !registryAvailable())
  throw new Error('docker-registry and apache2-utils (htpasswd) are required');

const MB = 1_000_000;
const STALL_MS = 6_000;

describe.skipIf(skip)('quick services from a real registry', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let registry: TestRegistry;
  let configFile: string;
  const runId = newRunId();
  const password = crypto.randomBytes(12).toString('hex');
  const src = (name: string) => `warp-test/registry-web:${runId}-${name}`;
  const digests: Record<string, string> = {};
  const projectIds: string[] = [];
  const ref = (path: string) => `${registry.host}/${path}`;

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload }) });
  const patchSettings = async (payload: Record<string, unknown>) => {
    const res = await api('PATCH', '/api/v1/settings', payload);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const deploy = async (image: string, subdomain: string) => {
    const res = await api('POST', '/api/v1/projects/quick-service', { image, subdomain });
    if (res.statusCode === 202) projectIds.push(res.json().project.id);
    return res;
  };
  const project = async (id: string) => (await api('GET', `/api/v1/projects/${id}`)).json();
  const projectContainers = (id: string) =>
    docker.listContainers({ all: true, filters: { label: [`warp.project=${id}`] } });
  const reservations = (id: string) =>
    t.app.db.kysely.selectFrom('port_reservations').selectAll().where('project_id', '=', id).execute();
  const routes = (id: string) =>
    t.app.db.kysely.selectFrom('routes').selectAll().where('project_id', '=', id).execute();

  /** Deploy and wait: the job and its log. */
  async function deployAndWait(image: string, subdomain: string) {
    const res = await deploy(image, subdomain);
    expect(res.statusCode, res.body).toBe(202);
    const { project: p, job } = res.json();
    const done = await waitForJob(t, auth, job.id);
    return { projectId: p.id as string, job: done, log: await jobLog(t, auth, job.id) };
  }

  /** A failed deploy left no container, port reservation, route or tunnel rule behind. */
  async function expectNothingCreated(projectId: string, hostname: string) {
    expect(await projectContainers(projectId)).toEqual([]);
    expect(await reservations(projectId)).toEqual([]);
    expect(await routes(projectId)).toEqual([]);
    expect(fs.readFileSync(configFile, 'utf8')).not.toContain(hostname);
    expect((await project(projectId)).status).toBe('failed');
  }

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    registry = await startRegistry(docker, { username: 'warp', password });
    await webImageWithRandomLayer(docker, WEB_IMAGE, src('v1'), 3 * MB, runId);
    await webImageWithRandomLayer(docker, WEB_IMAGE, src('v2'), 1 * MB, runId);
    await webImageWithRandomLayer(docker, WEB_IMAGE, src('big'), 30 * MB, runId);
    digests.v1 = await registry.push(src('v1'), 'warp/app:v1');
    digests.latest1 = await registry.push(src('v1'), 'warp/app:latest');
    digests.big = await registry.push(src('big'), 'warp/big:v1');
    // Without the sources their layers are gone: the deploys below really download them.
    await docker.getImage(src('v1')).remove();
    await docker.getImage(src('big')).remove();
    t = await createTestApp({ env: deployEnv('18600-18699'), pullStallTimeoutMs: STALL_MS });
    configFile = writeTunnelConfig(t);
    auth = await t.adminBearer();
    t.app.runner.start();
  });

  afterAll(async () => {
    if (!docker) return;
    await removeProjectContainers(docker, projectIds);
    await t?.close();
    for (const img of await docker.listImages()) {
      const names = [...(img.RepoTags ?? []), ...(img.RepoDigests ?? [])];
      if (names.some((n) => n.startsWith(`${registry?.host}/`) || n.includes(runId)))
        await docker
          .getImage(img.Id)
          .remove({ force: true })
          .catch(() => {});
    }
    await cleanupDocker(docker, runId);
    await registry?.stop();
  });

  it('refuses an image from a loopback registry until an admin allows it, creating nothing', async () => {
    const image = ref('warp/app:v1');
    const res = await deploy(image, 'refused');
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe(
      `image ${image} comes from registry ${registry.host}, a loopback address; images from loopback, link-local and private registries are refused unless an admin allows the registry in settings (allowedRegistries)`,
    );
    expect(error.details).toEqual([{ path: 'image', message: error.message }]);
    expect((await api('GET', '/api/v1/projects')).json().items).toEqual([]);
    expect(await t.app.db.kysely.selectFrom('jobs').selectAll().execute()).toEqual([]);
    // Allowed by host (every port of 127.0.0.1): the closed-port registry below passes the rule too.
    expect((await patchSettings({ allowedRegistries: ['127.0.0.1'] })).allowedRegistries).toEqual([
      '127.0.0.1',
    ]);
  });

  it('without credentials: a clear message in the job error and log, and nothing created', async () => {
    const image = ref('warp/app:v1');
    const { projectId, job, log } = await deployAndWait(image, 'nocreds');
    expect(job.status, log).toBe('failed');
    const message = `registry ${registry.host} requires credentials to pull ${image} (unauthorized): add credentials for ${registry.host} under registries`;
    expect(job.error).toEqual({ code: 'PRECONDITION_FAILED', message });
    expect(log).toContain(message);
    expect(log).not.toMatch(/no basic auth credentials|\n\s+at /);
    await expectNothingCreated(projectId, 'nocreds.example.test');
  });

  it('keeps registry passwords write-only, checks them, and keeps a password a PATCH leaves out', async () => {
    const view = await patchSettings({ registries: [{ host: registry.host, username: 'warp', password }] });
    expect(view.registries).toEqual([
      { host: registry.host, username: 'warp', password: { set: true, hint: `…${password.slice(-4)}` } },
    ]);
    const got = await api('GET', '/api/v1/settings');
    expect(got.body).not.toContain(password);
    const row = await t.app.db.kysely
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'registries')
      .executeTakeFirstOrThrow();
    expect(row.value).not.toContain(password);

    const check = (body?: Record<string, string>, host = registry.host) =>
      api('POST', `/api/v1/registries/${encodeURIComponent(host)}/check`, body);
    // The entry without a password keeps the saved one: the check of the saved credentials passes.
    await patchSettings({ registries: [{ host: registry.host, username: 'warp' }] });
    const ok = await check();
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({
      ok: true,
      message: `credentials of warp work for registry ${registry.host}`,
    });
    expect((await check({ password: 'wrong-password' })).json()).toEqual({
      ok: false,
      message: `registry ${registry.host} rejected the credentials of warp`,
    });
    const closed = `127.0.0.1:${await closedLoopbackPort()}`;
    expect((await check({ username: 'warp', password }, closed)).json()).toEqual({
      ok: false,
      message: `registry ${closed} is unreachable (connection refused)`,
    });
    const none = await check(undefined, 'ghcr.io');
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toContain('credentials for registry ghcr.io');
    expect((await check(undefined, 'not a host')).statusCode).toBe(400);
  });

  it('pulls with the saved credentials: per-layer progress and a total in the job log, digest recorded', async () => {
    const image = ref('warp/app:latest');
    registry.setDownloadRate(2 * MB);
    const { projectId, job, log } = await deployAndWait(image, 'fromreg').finally(() =>
      registry.setDownloadRate(null),
    );
    expect(job.status, log).toBe('succeeded');
    expect(log).toContain(`pulling ${image} as warp`);
    const lines = log.split('\n');
    const downloading = lines.filter((l) => /^[0-9a-f]{12}: downloading \d+\.\d of 3\.0 MB$/.test(l));
    expect(downloading.length, log).toBeGreaterThanOrEqual(2);
    expect(downloading.length).toBeLessThanOrEqual(4);
    expect(lines.filter((l) => /^[0-9a-f]{12}: downloaded 3\.0 MB$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^[0-9a-f]{12}: already exists$/.test(l))).toHaveLength(1);
    expect(log).toContain(`Digest: ${digests.latest1}`);
    expect(log).toContain(`Status: Downloaded newer image for ${image}`);
    expect(log).toMatch(/\npulled 1 layer, 3\.0 MB in \d+\.\d s, 1 already present\n/);
    expect(log).toContain(`image digest ${digests.latest1}`);
    expect(log).not.toContain(password);
    expect(JSON.stringify(job)).not.toContain(password);

    const p = await project(projectId);
    expect(p.status).toBe('running');
    const info = await docker.getContainer(p.containerNames[0]).inspect();
    expect(p.images).toEqual([
      { service: p.containerNames[0], image, digest: digests.latest1, imageId: info.Image },
    ]);
    expect(info.Config.Image).toBe(image);
  });

  it('a new push under the same tag: the redeploy pulls it and the digest changes; unchanged says so', async () => {
    const [first] = (await api('GET', '/api/v1/projects'))
      .json()
      .items.filter((p: { subdomain: string }) => p.subdomain === 'fromreg');
    const before = first.images[0];
    digests.latest2 = await registry.push(src('v2'), 'warp/app:latest');
    expect(digests.latest2).not.toBe(digests.latest1);

    const redeploy = async () => {
      const res = await api('POST', `/api/v1/projects/${first.id}/redeploy`);
      expect(res.statusCode, res.body).toBe(202);
      const job = await waitForJob(t, auth, res.json().job.id);
      const log = await jobLog(t, auth, job.id);
      expect(job.status, log).toBe('succeeded');
      return log;
    };
    const log = await redeploy();
    expect(log).toContain(`pulling ${ref('warp/app:latest')} as warp`);
    expect(log).toContain(`image changed: ${digests.latest1} → ${digests.latest2}`);
    const after = (await project(first.id)).images[0];
    expect(after.digest).toBe(digests.latest2);
    expect(after.imageId).not.toBe(before.imageId);
    const info = await docker.getContainer((await project(first.id)).containerNames[0]).inspect();
    expect(info.Image).toBe(after.imageId);

    const again = await redeploy();
    expect(again).toContain(`Status: Image is up to date for ${ref('warp/app:latest')}`);
    expect(again).toContain(`image unchanged (${digests.latest2})`);
    expect((await project(first.id)).images[0]).toEqual(after);
  });

  it('an unknown tag and an unreachable registry fail with their own messages, creating nothing', async () => {
    const unknown = await deployAndWait(ref('warp/app:v9'), 'notag');
    expect(unknown.job.status, unknown.log).toBe('failed');
    expect(unknown.job.error).toEqual({
      code: 'NOT_FOUND',
      message: `tag v9 of image warp/app not found in registry ${registry.host} (it has latest, v1)`,
    });
    expect(unknown.log).toContain(unknown.job.error.message);
    await expectNothingCreated(unknown.projectId, 'notag.example.test');

    const nope = await deployAndWait(ref('warp/nope:v1'), 'noimage');
    expect(nope.job.error).toEqual({
      code: 'NOT_FOUND',
      message: `image warp/nope not found in registry ${registry.host} (pulling ${ref('warp/nope:v1')})`,
    });

    const host = `127.0.0.1:${await closedLoopbackPort()}`;
    const down = await deployAndWait(`${host}/warp/app:v1`, 'unreachable');
    expect(down.job.status, down.log).toBe('failed');
    expect(down.job.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: `registry ${host} is unreachable (connection refused) while pulling ${host}/warp/app:v1`,
    });
    expect(down.log).not.toContain('dial tcp');
    await expectNothingCreated(down.projectId, 'unreachable.example.test');
  });

  it('cancel stops a pull mid-download: the job is canceled and nothing is left', async () => {
    registry.setDownloadRate(1 * MB);
    try {
      const res = await deploy(ref('warp/big:v1'), 'cancelme');
      expect(res.statusCode).toBe(202);
      const { project: p, job } = res.json();
      await waitFor(
        'a downloading line',
        async () => /: downloading /.test(await jobLog(t, auth, job.id)),
        60_000,
      );
      const cancel = await api('POST', `/api/v1/jobs/${job.id}/cancel`);
      expect(cancel.statusCode, cancel.body).toBe(202);
      const done = await waitForJob(t, auth, job.id);
      expect(done.status).toBe('canceled');
      const log = await jobLog(t, auth, job.id);
      expect(log).not.toMatch(/\npulled \d+ layer/);
      expect(await projectContainers(p.id)).toEqual([]);
      expect(await reservations(p.id)).toEqual([]);
      const present = await docker
        .getImage(ref('warp/big:v1'))
        .inspect()
        .then(
          () => true,
          () => false,
        );
      expect(present).toBe(false);
    } finally {
      registry.setDownloadRate(null);
    }
  });

  it('a pull that stalls fails after the stall timeout with a clear message', async () => {
    registry.setDownloadRate(0);
    try {
      const { projectId, job, log } = await deployAndWait(ref('warp/big:v1'), 'stalled');
      expect(job.status, log).toBe('failed');
      expect(job.error).toEqual({
        code: 'UPSTREAM_ERROR',
        message: `pulling ${ref('warp/big:v1')} from registry ${registry.host} stalled: no progress for ${STALL_MS / 1000} s`,
      });
      await expectNothingCreated(projectId, 'stalled.example.test');
    } finally {
      registry.setDownloadRate(null);
    }
  });
});
