import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../fakes/git-server.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
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

const COMPOSE = `services:\n  web:\n    image: ${WEB_IMAGE}\n    init: true\n    ports:\n      - "80"\n`;

describe.skipIf(skip)('projects from GitHub: template and existing repo', () => {
  let gh: FakeGithub;
  let gitServer: GitServer;
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  const composeProjects: string[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    gh = await startFakeGithub();
    gitServer = await startGitServer({ isValidToken: (token) => gh.isValidInstallationToken(token) });
    gh.state.gitBaseUrl = gitServer.url;
    gh.state.onGenerate = (template, created) =>
      gitServer.copyRepo(`${template.owner}/${template.name}`, `${created.owner}/${created.name}`);
    gh.addRepo({ owner: 'acme', name: 'template-web', isTemplate: true });
    gitServer.createRepo('acme/template-web', { 'compose.yaml': COMPOSE });
    gh.addRepo({ owner: 'acme', name: 'store' });
    gitServer.createRepo('acme/store', { 'compose.yaml': COMPOSE });
    gh.addRepo({ owner: 'acme', name: 'blog' });
    gitServer.createRepo('acme/blog', {
      'compose.yaml': 'services:\n  web:\n    build: ./app\n    ports: ["80"]\n',
      'app/Dockerfile': `FROM ${WEB_IMAGE}\n`,
    });
    t = await createTestApp({
      env: {
        ...deployEnv('18400-18499'),
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_GITHUB_APP_ID: gh.state.app.appId,
        WARP_GITHUB_APP_INSTALLATION_ID: gh.state.app.installationId,
        WARP_TEMPLATE_ALLOWLIST: 'acme/template-web',
      },
    });
    writeTunnelConfig(t);
    auth = await t.adminBearer();
    const key = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { github: { appPrivateKey: gh.state.app.privateKeyPem } },
    });
    expect(key.statusCode, key.body).toBe(200);
    t.app.runner.start();
  });

  afterAll(async () => {
    await removeComposeProjects(docker, composeProjects);
    await t?.close();
    await gitServer?.close();
    await gh?.close();
  });

  const post = (url: string, payload: Record<string, unknown>) =>
    t.app.http.inject({ method: 'POST', url, headers: auth, payload });

  it('generates from an allow-listed template (suffixing a taken name), clones and deploys it', async () => {
    gh.addRepo({ owner: 'acme', name: 'my-app' }); // taken: the new repo becomes my-app-2
    const res = await post('/api/v1/projects/from-template', {
      template: 'acme/template-web',
      name: 'my-app',
      subdomain: 'myapp',
    });
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    composeProjects.push(project.composeProject);
    const done = await waitForJob(t, auth, job.id);
    const log = await jobLog(t, auth, job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log).toContain('Generating acme/my-app-2 from acme/template-web');
    const got = (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).json();
    expect(got).toMatchObject({
      kind: 'template',
      status: 'running',
      repo: { owner: 'acme', name: 'my-app-2' },
    });
    const clone = path.join(t.app.config.reposRoot, got.path);
    expect(fs.readFileSync(path.join(clone, 'compose.yaml'), 'utf8')).toBe(COMPOSE);
    const gitConfig = fs.readFileSync(path.join(clone, '.git', 'config'), 'utf8');
    expect(gitConfig).not.toMatch(/extraheader|x-access-token|ghs_/i);
    expect(gh.state.installationTokens.length).toBeGreaterThan(0);
    for (const { token } of gh.state.installationTokens) {
      expect(log).not.toContain(token);
      expect(JSON.stringify(done)).not.toContain(token);
    }
  });

  it('previews a repo and a template (dryRun) from a scratch clone that is removed, creating nothing', async () => {
    const count = async () => ({
      projects: (await t.app.http.inject({ url: '/api/v1/projects', headers: auth })).json().items.length,
      jobs: (await t.app.http.inject({ url: '/api/v1/jobs', headers: auth })).json().items.length,
      repos: fs.readdirSync(t.app.config.reposRoot).sort(),
    });
    const before = await count();
    const repo = await post('/api/v1/projects/deploy-existing', {
      repo: 'acme/blog',
      subdomain: 'blogdry',
      dryRun: true,
    });
    expect(repo.statusCode, repo.body).toBe(200);
    const plan = repo.json().plan;
    expect(plan).toMatchObject({ service: 'web', containerPort: 80, composeProject: 'warp-blog' });
    // Compose v2's long form, or v1's short one (the compatibility pass runs v1).
    const proxyPort = plan.model.services.web.ports[0];
    if (typeof proxyPort === 'string') expect(proxyPort).toMatch(/^127\.0\.0\.1:\d+:80\/tcp$/);
    else expect(proxyPort).toMatchObject({ host_ip: '127.0.0.1', target: 80 });
    expect(plan.warnings.join('\n')).toContain('temporary clone of acme/blog');
    // Paths point where the deploy will clone, not at the scratch clone.
    expect(plan.model.services.web.build.context).toBe(path.join(t.app.config.reposRoot, 'blog', 'app'));
    expect(JSON.stringify(plan.model)).not.toContain(path.join(t.dataDir, 'tmp'));

    const tpl = await post('/api/v1/projects/from-template', {
      template: 'acme/template-web',
      name: 'dry-app',
      subdomain: 'dryapp',
      dryRun: true,
    });
    expect(tpl.statusCode, tpl.body).toBe(200);
    expect(tpl.json().plan).toMatchObject({
      service: 'web',
      containerPort: 80,
      composeProject: 'warp-dry-app',
    });
    expect(tpl.json().plan.warnings.join('\n')).toContain('planned from the template acme/template-web');
    expect(await count()).toEqual(before);
    expect(fs.readdirSync(path.join(t.dataDir, 'tmp'))).toEqual([]);
    for (const { token } of gh.state.installationTokens) {
      expect(repo.body + tpl.body).not.toContain(token);
    }
  });

  it('answers 422 for a template dry run when the template cannot be read', async () => {
    const patch = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { templates: { allowlist: ['acme/template-web', 'acme/ghost'] } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const res = await post('/api/v1/projects/from-template', {
      template: 'acme/ghost',
      name: 'ghost-app',
      subdomain: 'ghostapp',
      dryRun: true,
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error.message).toContain('cannot read the template acme/ghost to preview it');
  });

  it('refuses a template that is not allow-listed and bad names before any job', async () => {
    const res = await post('/api/v1/projects/from-template', {
      template: 'evil/template',
      name: 'Bad Name',
      subdomain: 'x',
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['template', 'name']));
    const jobs = (await t.app.http.inject({ url: '/api/v1/jobs?type=template_create', headers: auth })).json()
      .items;
    expect(jobs).toHaveLength(1);
  });

  it('deploys an existing repo, redeploys after a push, and refuses one the App cannot see', async () => {
    const res = await post('/api/v1/projects/deploy-existing', { repo: 'acme/store', subdomain: 'store' });
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    composeProjects.push(project.composeProject);
    const done = await waitForJob(t, auth, job.id);
    expect(done.status, await jobLog(t, auth, job.id)).toBe('succeeded');

    gitServer.commit('acme/store', 'VERSION', '2\n');
    const re = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/redeploy`,
      headers: auth,
    });
    const redone = await waitForJob(t, auth, re.json().job.id);
    const log = await jobLog(t, auth, redone.id);
    expect(redone.status, log).toBe('succeeded');
    expect(log).toContain('Fetching acme/store');
    const got = (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).json();
    expect(fs.readFileSync(path.join(t.app.config.reposRoot, got.path, 'VERSION'), 'utf8')).toBe('2\n');

    const missing = await post('/api/v1/projects/deploy-existing', { repo: 'acme/nope', subdomain: 'nope' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('repo');
    const again = await post('/api/v1/projects/deploy-existing', { repo: 'acme/store', subdomain: 'store2' });
    expect(again.statusCode).toBe(409);
  });
});
