import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, git, startGitServer } from '../fakes/git-server.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
import { testEngines } from '../support/databases.js';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { served } from '../support/release-images.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const engine = (await testEngines()).includes('postgres') ? 'postgres' : 'sqlite';

/**
 * A repo project's releases (PostgreSQL where it runs; quick services cover SQLite): each records the commit it was built from; a rollback checks
 * that commit out again and runs the image that release built (tagged by the panel), not a rebuild.
 */
describe.skipIf(skip)(`releases of a repo project (${engine})`, () => {
  let gh: FakeGithub;
  let gitServer: GitServer;
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  const run = newRunId();
  const name = `site-${run}`;
  const base = `warp-${name}`;
  let projectId = '';

  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const succeeded = async (res: { statusCode: number; body: string; json(): { job: { id: string } } }) => {
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, auth, res.json().job.id, 180_000);
    expect(job.status, await jobLog(t, auth, job.id)).toBe('succeeded');
    return job;
  };

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    gh = await startFakeGithub();
    gitServer = await startGitServer({ isValidToken: (token) => gh.isValidInstallationToken(token) });
    gh.state.gitBaseUrl = gitServer.url;
    gh.addRepo({ owner: 'acme', name });
    gitServer.createRepo(`acme/${name}`, {
      'compose.yaml': 'services:\n  web:\n    build: ./app\n    init: true\n    ports: ["80"]\n',
      'app/Dockerfile': `FROM ${WEB_IMAGE}\nCOPY index.html /tmp/index.html\n`,
      'app/index.html': 'built from commit one\n',
    });
    t = await createTestApp({
      engine,
      env: {
        ...deployEnv('18800-18849'),
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_GITHUB_APP_ID: gh.state.app.appId,
        WARP_GITHUB_APP_INSTALLATION_ID: gh.state.app.installationId,
      },
    });
    writeTunnelConfig(t);
    auth = await t.adminBearer();
    const s = await api('PATCH', '/api/v1/settings', {
      github: { appPrivateKey: gh.state.app.privateKeyPem },
      releases: { drainSeconds: 1 },
    });
    expect(s.statusCode, s.body).toBe(200);
    t.app.runner.start();
  });

  afterAll(async () => {
    await removeComposeProjects(docker, [base, `${base}_2`, `${base}_3`]);
    for (const i of await docker.listImages({ filters: { reference: [`warp-release/${projectId}`] } })) {
      for (const tag of i.RepoTags ?? [])
        await docker
          .getImage(tag)
          .remove()
          .catch(() => {});
    }
    for (const image of [`${base}-web`, `${base}_2-web`]) {
      await docker
        .getImage(image)
        .remove()
        .catch(() => {});
    }
    await t?.close();
    await gitServer?.close();
    await gh?.close();
  });

  it('records the commit, and a rollback checks it out and runs the image it built', async () => {
    const res = await api('POST', '/api/v1/projects/deploy-existing', {
      repo: `acme/${name}`,
      subdomain: `s${run}`,
    });
    const id = res.json().project.id as string;
    projectId = id;
    await succeeded(res);
    const clone = path.join(t.app.config.reposRoot, (await api('GET', `/api/v1/projects/${id}`)).json().path);
    const head = () => git(['rev-parse', 'HEAD'], clone).trim();
    const one = head();
    const port1 = (await api('GET', `/api/v1/projects/${id}`)).json().hostPort;
    expect(await served(port1)).toBe('built from commit one');

    gitServer.commit(`acme/${name}`, 'app/index.html', 'built from commit two\n');
    await succeeded(await api('POST', `/api/v1/projects/${id}/redeploy`));
    const two = head();
    expect(two).not.toBe(one);
    expect(await served((await api('GET', `/api/v1/projects/${id}`)).json().hostPort)).toBe(
      'built from commit two',
    );

    const list = (await api('GET', `/api/v1/projects/${id}/releases`)).json().items;
    expect(
      list.map((r: { seq: number; commit: string; live: boolean }) => [r.seq, r.commit, r.live]),
    ).toEqual([
      [2, two, true],
      [1, one, false],
    ]);
    expect(list[1].images).toEqual([
      { service: 'web', image: expect.stringMatching(/-web$/), digest: expect.stringMatching(/^sha256:/) },
    ]);

    const back = await succeeded(await api('POST', `/api/v1/projects/${id}/releases/${list[1].id}/rollback`));
    const log = await jobLog(t, auth, back.id);
    expect(log).toContain(`Checking out acme/${name} at ${one.slice(0, 12)}`);
    expect(head()).toBe(one);
    expect(fs.readFileSync(path.join(clone, 'app', 'index.html'), 'utf8')).toBe('built from commit one\n');
    const now = (await api('GET', `/api/v1/projects/${id}`)).json();
    expect(await served(now.hostPort)).toBe('built from commit one');
    const web = (
      await docker.listContainers({
        filters: { label: [`warp.project=${id}`, 'com.docker.compose.service=web'] },
      })
    )[0]!;
    expect(web.ImageID).toBe((await docker.getImage(`warp-release/${id}:r1-web`).inspect()).Id);
    expect(web.Image).toBe(`warp-release/${id}:r1-web`);
  });
});
