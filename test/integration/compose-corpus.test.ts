/**
 * The compose corpus (test/fixtures/compose-corpus/<name>/): projects in the shapes real ones use.
 * Each is previewed through the API (dryRun) and planned in-process, and the plan's model is compared
 * with Compose's own `config --format json` of the untouched folder: the only differences allowed
 * are the panel's (test/support/compose-differ.ts). The fixtures marked `deploy` really run: the model
 * file the panel wrote is what Compose reads back, containers carry the labels, the proxy port binds
 * loopback only. Refusals answer 400 with their message and create nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskModel } from '../../src/features/deploy/compose-plan.view.js';
import { planComposeProject } from '../../src/features/deploy/index.js';
import { createRunner } from '../../src/lib/process/runner.js';
import { composeConfig, expectOnlyPanelChanges } from '../support/compose-differ.js';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const CORPUS = path.resolve('test/fixtures/compose-corpus');

interface Expect {
  service?: string;
  containerPort?: number;
  deploy?: boolean;
  refusal?: string;
  secret?: string;
}
const fixtures = fs
  .readdirSync(CORPUS)
  .sort()
  .map((name) => ({
    name,
    expect: JSON.parse(fs.readFileSync(path.join(CORPUS, name, 'warp-expect.json'), 'utf8')) as Expect,
  }));
const accepted = fixtures.filter((f) => !f.expect.refusal);
const refused = fixtures.filter((f) => f.expect.refusal);
const deployed = accepted.filter((f) => f.expect.deploy);

describe.skipIf(skip)('the compose corpus', { timeout: 300_000 }, () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let repos: string;
  const composeProjects: string[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    t = await createTestApp({ env: { ...deployEnv('18700-18798'), WARP_COMPOSE: 'docker compose' } });
    writeTunnelConfig(t);
    repos = t.app.config.reposRoot;
    fs.cpSync(CORPUS, repos, { recursive: true });
    auth = await t.adminBearer();
    t.app.runner.start();
  });
  afterAll(async () => {
    await removeComposeProjects(docker, composeProjects);
    await t?.close();
  });

  const post = (payload: Record<string, unknown>) =>
    t.app.http.inject({ method: 'POST', url: '/api/v1/projects/deploy-existing', headers: auth, payload });
  const subdomainOf = (name: string) => name.slice(0, 63);

  it('has the shapes the issue lists', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(30);
    expect(deployed.map((f) => f.name)).toEqual(
      expect.arrayContaining(['build-context', 'include-basic', 'extends-file', 'override-file']),
    );
    expect(deployed.length).toBeGreaterThanOrEqual(6);
  });

  it.each(accepted.map((f) => [f.name, f.expect] as const))(
    'previews %s: only the panel changes Compose’s model',
    async (name, want) => {
      const res = await post({ path: name, subdomain: subdomainOf(name), dryRun: true });
      expect(res.statusCode, res.body).toBe(200);
      if (want.secret) expect(res.body).not.toContain(want.secret); // env values are masked in the API
      const { plan } = res.json();
      expect(plan).toMatchObject({ service: want.service, containerPort: want.containerPort });
      expect(plan.warnings).toEqual(
        expect.arrayContaining([expect.stringMatching(/host port \d+ is free now/)]),
      );
      const dir = path.join(repos, name);
      const original = composeConfig(dir, plan.composeProject);
      const spec = {
        service: plan.service,
        containerPort: plan.containerPort,
        hostPort: plan.hostPort,
        projectId: 'assigned-at-deploy',
        projectName: plan.composeProject,
      };
      // The API's view masks env values; compare it with Compose's model masked the same way …
      expectOnlyPanelChanges(maskModel(original).model, plan.model, spec);
      // … and the model itself, unmasked, as the deploy would write it.
      const direct = await planComposeProject({
        compose: await t.app.compose(),
        run: createRunner(),
        dir: fs.realpathSync(dir),
        project: plan.composeProject,
        projectId: 'p-corpus',
        hostPort: plan.hostPort,
        bindAddress: '127.0.0.1',
      });
      expectOnlyPanelChanges(original, direct.model, { ...spec, projectId: 'p-corpus' });
    },
  );

  it('has a differ that fails on any change the panel does not document', async () => {
    const dir = path.join(repos, 'yaml11-values');
    const original = composeConfig(dir, 'warp-yaml11-values');
    const plan = await planComposeProject({
      compose: await t.app.compose(),
      run: createRunner(),
      dir: fs.realpathSync(dir),
      project: 'warp-yaml11-values',
      projectId: 'p1',
      hostPort: 18750,
      bindAddress: '127.0.0.1',
    });
    const spec = {
      service: 'web',
      containerPort: 80,
      hostPort: 18750,
      projectId: 'p1',
      projectName: 'warp-yaml11-values',
    };
    expectOnlyPanelChanges(original, plan.model, spec);
    // biome-ignore lint/suspicious/noExplicitAny: each mutation reaches into an arbitrary model path.
    type M = { services: Record<string, Record<string, any>> };
    const mutations: ((m: M) => void)[] = [
      (m) => {
        m.services.web!.environment.UMASK = '022';
      },
      (m) => {
        m.services.web!.secrets[0].mode = '0440';
      },
      (m) => {
        m.services.web!.ports[0].host_ip = '0.0.0.0';
      },
      (m) => {
        delete m.services.web!.labels['warp.project'];
      },
      (m) => {
        m.services.web!.init = false;
      },
    ];
    for (const mutate of mutations) {
      const changed = structuredClone(plan.model) as unknown as M;
      mutate(changed);
      expect(() => expectOnlyPanelChanges(original, changed as never, spec), String(mutate)).toThrow();
    }
  });

  it.each(refused.map((f) => [f.name, f.expect] as const))(
    'refuses %s with its message, creating nothing',
    async (name, want) => {
      const before = (await t.app.http.inject({ url: '/api/v1/jobs', headers: auth })).json().items.length;
      for (const dryRun of [true, false]) {
        const res = await post({ path: name, subdomain: subdomainOf(name), dryRun });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error.message).toContain(want.refusal);
        if (want.secret) expect(res.body).not.toContain(want.secret);
      }
      expect((await t.app.http.inject({ url: '/api/v1/jobs', headers: auth })).json().items).toHaveLength(
        before,
      );
      const projects = (await t.app.http.inject({ url: '/api/v1/projects', headers: auth })).json().items;
      expect(projects.find((p: { path: string }) => p.path === name)).toBeUndefined();
    },
  );

  it('creates nothing for a dry run: no row, reservation, route, model file or job', async () => {
    const snapshot = async () => ({
      projects: (await t.app.http.inject({ url: '/api/v1/projects', headers: auth })).json().items.length,
      jobs: (await t.app.http.inject({ url: '/api/v1/jobs', headers: auth })).json().items.length,
      ports: (await t.app.repos.portReservations.list()).length,
      routes: (await t.app.http.inject({ url: '/api/v1/tunnel', headers: auth })).json().rules.length,
      files: fs.existsSync(path.join(t.dataDir, 'compose'))
        ? fs.readdirSync(path.join(t.dataDir, 'compose'))
        : [],
      tmp: fs.existsSync(path.join(t.dataDir, 'tmp')) ? fs.readdirSync(path.join(t.dataDir, 'tmp')) : [],
    });
    const before = await snapshot();
    expect((await post({ path: 'basic-web', subdomain: 'dry', dryRun: true })).statusCode).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it.each(deployed.map((f) => [f.name, f.expect] as const))(
    'deploys %s: runs exactly the written model',
    async (name, want) => {
      const res = await post({ path: name, subdomain: subdomainOf(name) });
      expect(res.statusCode, res.body).toBe(202);
      const { project, job } = res.json();
      composeProjects.push(project.composeProject);
      const done = await waitForJob(t, auth, job.id, 180_000);
      expect(done.status, await jobLog(t, auth, job.id)).toBe('succeeded');
      const got = (await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: auth })).json();
      const dir = fs.realpathSync(path.join(repos, name));

      const file = path.join(t.dataDir, 'compose', project.id, 'compose.json');
      expect(fs.lstatSync(file).mode & 0o777).toBe(0o600);
      const written = JSON.parse(fs.readFileSync(file, 'utf8'));
      // Compose reads the written model back exactly as written …
      expect(composeConfig(dir, project.composeProject, file)).toEqual(written);
      // … and it is Compose's resolution of the user's folder plus the panel's changes only.
      const spec = {
        service: want.service!,
        containerPort: want.containerPort!,
        hostPort: got.hostPort,
        projectId: project.id,
        projectName: project.composeProject,
      };
      expectOnlyPanelChanges(composeConfig(dir, project.composeProject), written, spec);
      const plan = (
        await t.app.http.inject({ url: `/api/v1/projects/${project.id}/plan`, headers: auth })
      ).json().plan;
      expect(plan).toMatchObject({
        service: want.service,
        containerPort: want.containerPort,
        hostPort: got.hostPort,
      });
      expect(plan.model).toEqual(maskModel(written).model);

      const containers = await docker.listContainers({
        all: true,
        filters: { label: [`com.docker.compose.project=${project.composeProject}`] },
      });
      expect(containers.map((c) => c.Labels['com.docker.compose.service']).sort()).toEqual(
        Object.keys(written.services).sort(),
      );
      for (const c of containers) {
        expect(c.Labels['warp.project']).toBe(project.id);
        expect(c.Labels['warp.managed']).toBe('true');
        const info = await docker.getContainer(c.Id).inspect();
        const service = written.services[c.Labels['com.docker.compose.service']!];
        for (const [k, v] of Object.entries((service.environment ?? {}) as Record<string, string | null>)) {
          if (v !== null) expect(info.Config.Env).toContain(`${k}=${v}`);
        }
        for (const bindings of Object.values(info.HostConfig.PortBindings ?? {}) as { HostIp: string }[][]) {
          for (const b of bindings) expect(b.HostIp, `${c.Names[0]} binds loopback only`).toBe('127.0.0.1');
        }
      }
      const proxy = containers.find((c) => c.Labels['com.docker.compose.service'] === want.service)!;
      const info = await docker.getContainer(proxy.Id).inspect();
      expect(info.HostConfig.PortBindings[`${want.containerPort}/tcp`]).toEqual([
        { HostIp: '127.0.0.1', HostPort: String(got.hostPort) },
      ]);

      const del = await t.app.http.inject({
        method: 'DELETE',
        url: `/api/v1/projects/${project.id}`,
        headers: auth,
      });
      const gone = await waitForJob(t, auth, del.json().job.id);
      expect(gone.status, await jobLog(t, auth, gone.id)).toBe('succeeded');
      expect(fs.existsSync(file)).toBe(false);
      expect(
        await docker.listContainers({
          all: true,
          filters: { label: [`com.docker.compose.project=${project.composeProject}`] },
        }),
      ).toHaveLength(0);
    },
  );
});
