// A compose project whose service image lives in a private registry (Debian's docker-registry with
// htpasswd auth on loopback): Compose pulls it with a per-run DOCKER_CONFIG that holds the saved
// login, nothing is written under ~/.docker, and the per-run dir is gone afterwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeV2DockerConfig, composeV2Forwarder, hasComposeV1 } from '../support/compose.js';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { cleanupDocker, newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import {
  registryAvailable,
  startRegistry,
  type TestRegistry,
  webImageWithRandomLayer,
} from '../support/registry.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
if (!skip && !registryAvailable())
  throw new Error('docker-registry and apache2-utils (htpasswd) are required');

/** Every file under `dir` (recursively) with its text, for "nothing of ours is in there". */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || fs.statSync(file).size > 1_000_000) continue;
    out.push({ file, text: fs.readFileSync(file, 'latin1') });
  }
  return out;
}

// The real v2 plugin, and (where Compose v1 exists) `docker compose` through a DOCKER_CONFIG whose CLI
// plugin forwards to v1: its plugin must still be found under the per-run config, and v1 reads the
// login from DOCKER_CONFIG itself.
const flavours = [
  { name: 'docker compose', dockerConfig: composeV2DockerConfig, pulled: null },
  ...(hasComposeV1()
    ? [
        {
          name: 'docker compose forwarded to v1',
          dockerConfig: composeV2Forwarder,
          // v1's own words: proof that the forwarding plugin (not the system's v2) ran.
          pulled: (image: string) => `Pulling web (${image})...`,
        },
      ]
    : []),
];

describe.skipIf(skip).each(flavours)('a compose project from a private registry ($name)', (flavour) => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let registry: TestRegistry;
  let image: string;
  let pushed: string;
  let projectId: string;
  const runId = newRunId();
  const password = crypto.randomBytes(12).toString('hex');
  const source = `warp-test/registry-compose:${runId}`;
  const folder = `regweb-${runId.slice(-6)}`;
  const composeProjects: string[] = [];
  const homeDocker = path.join(os.homedir(), '.docker');

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload }) });
  const runDirEntries = () =>
    fs.existsSync(path.join(t.dataDir, 'run')) ? fs.readdirSync(path.join(t.dataDir, 'run')) : [];
  const composeContainers = (name: string) =>
    docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${name}`] } });
  async function runJob(res: { statusCode: number; body: string; json(): { job: { id: string } } }) {
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, auth, res.json().job.id);
    return { job, log: await jobLog(t, auth, job.id) };
  }

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    registry = await startRegistry(docker, { username: 'warp', password });
    await webImageWithRandomLayer(docker, WEB_IMAGE, source, 500_000, runId);
    pushed = await registry.push(source, 'warp/compose-web:v1');
    await docker.getImage(source).remove();
    image = `${registry.host}/warp/compose-web:v1`;
    const dockerConfig = flavour.dockerConfig();
    t = await createTestApp({
      env: {
        ...deployEnv(flavour.name === 'docker compose' ? '19400-19449' : '19450-19499'),
        WARP_COMPOSE: 'docker compose',
        ...(dockerConfig ? { DOCKER_CONFIG: dockerConfig } : {}),
      },
    });
    writeTunnelConfig(t);
    const dir = path.join(t.app.config.reposRoot, folder);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      `services:\n  web:\n    image: ${image}\n    init: true\n    ports:\n      - "80"\n`,
    );
    auth = await t.adminBearer();
    t.app.runner.start();
  });

  afterAll(async () => {
    if (!docker) return;
    await removeComposeProjects(docker, composeProjects);
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

  it('refuses the loopback registry in the resolved model until it is allowed, starting nothing', async () => {
    const res = await api('POST', '/api/v1/projects/deploy-existing', {
      path: folder,
      subdomain: `c${runId.slice(-5)}`,
    });
    const { job, log } = await runJob(res);
    projectId = res.json().project.id;
    composeProjects.push(res.json().project.composeProject);
    expect(job.status, log).toBe('failed');
    expect(job.error.code).toBe('VALIDATION_FAILED');
    expect(job.error.message).toContain(
      `image ${image} comes from registry ${registry.host}, a loopback address`,
    );
    expect(job.error.message).toContain('unless an admin allows the registry in settings');
    expect(log).not.toMatch(/\$ docker compose .* up/);
    expect(await composeContainers(res.json().project.composeProject)).toEqual([]);
    const patched = await api('PATCH', '/api/v1/settings', { allowedRegistries: [registry.host] });
    expect(patched.statusCode, patched.body).toBe(200);
  });

  it('without credentials Compose cannot pull: the message names image and registry', async () => {
    const { job, log } = await runJob(await api('POST', `/api/v1/projects/${projectId}/redeploy`));
    expect(job.status, log).toBe('failed');
    expect(job.error).toEqual({
      code: 'PRECONDITION_FAILED',
      message: `registry ${registry.host} requires credentials to pull ${image} (unauthorized): add credentials for ${registry.host} under registries`,
    });
    expect(log).not.toContain('per-run Docker config');
    expect(runDirEntries()).toEqual([]);
  });

  it('with saved credentials Compose pulls through a per-run DOCKER_CONFIG that is gone afterwards', async () => {
    const patched = await api('PATCH', '/api/v1/settings', {
      registries: [{ host: registry.host, username: 'warp', password }],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const { job, log } = await runJob(await api('POST', `/api/v1/projects/${projectId}/redeploy`));
    expect(job.status, log).toBe('succeeded');
    expect(log).toContain(`registry credentials for ${registry.host} passed in a per-run Docker config`);
    expect(log).not.toContain(password);
    if (flavour.pulled) expect(log).toContain(flavour.pulled(image));

    const p = (await api('GET', `/api/v1/projects/${projectId}`)).json();
    expect(p.status).toBe('running');
    const [running] = await composeContainers(p.composeProject);
    expect(p.images).toEqual([{ service: 'web', image, digest: pushed, imageId: running?.ImageID }]);
    expect(log).toContain(`service web: ${image} (${pushed})`);

    // The per-run config is gone, and nothing of this login reached the user's ~/.docker.
    expect(runDirEntries()).toEqual([]);
    const basic = Buffer.from(`warp:${password}`).toString('base64');
    for (const { file, text } of filesUnder(homeDocker)) {
      for (const needle of [password, basic, registry.host]) expect(text.includes(needle), file).toBe(false);
    }
  });

  it('a redeploy pulls a newer push under the same tag and runs it; the release keeps the new digest', async () => {
    // Someone else pushes a new build under the same tag; this host still has the old one under it.
    const ours = (await docker.getImage(image).inspect()).Id;
    await webImageWithRandomLayer(docker, WEB_IMAGE, source, 200_000, runId);
    const newer = await registry.push(source, 'warp/compose-web:v1');
    await docker.getImage(source).remove();
    await docker.getImage(ours).tag({ repo: image.slice(0, image.lastIndexOf(':')), tag: 'v1' });
    expect(newer).not.toBe(pushed);
    const { job, log } = await runJob(await api('POST', `/api/v1/projects/${projectId}/redeploy`));
    expect(job.status, log).toBe('succeeded');
    expect(log).toContain('Pulling web again');
    expect(log).not.toContain(password);
    const p = (await api('GET', `/api/v1/projects/${projectId}`)).json();
    // The redeploy ran blue/green as the next release: its containers carry the panel's project label.
    const [running] = await docker.listContainers({
      filters: { label: [`warp.project=${projectId}`, 'com.docker.compose.service=web'] },
    });
    expect(p.images).toEqual([{ service: 'web', image, digest: newer, imageId: running?.ImageID }]);
    const releases = (await api('GET', `/api/v1/projects/${projectId}/releases`)).json().items;
    expect(releases[0]).toMatchObject({ live: true, images: [{ service: 'web', digest: newer }] });
    expect(runDirEntries()).toEqual([]);
    const down = await runJob(await api('DELETE', `/api/v1/projects/${projectId}`));
    expect(down.job.status, down.log).toBe('succeeded');
  });
});
