import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import {
  deployEnv,
  expectJobSucceeded,
  jobLog,
  removeComposeProjects,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { ECHO_IMAGE, ensureReleaseImages, served } from '../support/release-images.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const engine = (await testEngines()).includes('postgres') ? 'postgres' : 'sqlite';

const composeFile = (msg: string) => `services:
  web:
    image: ${ECHO_IMAGE}
    init: true
    environment:
      MSG: ${msg}
    ports:
      - "8080:80"
    volumes:
      - data:/data
  worker:
    image: ${ECHO_IMAGE}
    command: ["sleep", "3600"]
    init: true
volumes:
  data: {}
`;

/**
 * Releases of a compose project on the real engine (PostgreSQL where it runs): a redeploy runs as
 * its own compose project beside the live one, on the same named volume, and takes the route; a
 * rollback re-runs the stored model; a project that cannot run twice says stop-then-start in its plan.
 */
describe.skipIf(skip)(`releases of a compose project (${engine})`, () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  const run = newRunId();
  const folder = `rel-${run}`;
  const base = `warp-rel-${run}`;
  const composeProjects = [base, `${base}_2`, `${base}_3`];

  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const releases = async (id: string) => (await api('GET', `/api/v1/projects/${id}/releases`)).json().items;
  const project = async (id: string) => (await api('GET', `/api/v1/projects/${id}`)).json();
  const succeeded = (res: Parameters<typeof expectJobSucceeded>[2]) => expectJobSucceeded(t, auth, res);
  const running = async (composeProject: string) =>
    (
      await docker.listContainers({ filters: { label: [`com.docker.compose.project=${composeProject}`] } })
    ).map((c) => c.Labels['com.docker.compose.service']);

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureReleaseImages(docker);
    t = await createTestApp({ engine, env: deployEnv('18600-18699') });
    writeTunnelConfig(t);
    auth = await t.adminBearer();
    await api('PATCH', '/api/v1/settings', { releases: { drainSeconds: 1 } });
    fs.mkdirSync(path.join(t.app.config.reposRoot, folder), { recursive: true });
    fs.writeFileSync(path.join(t.app.config.reposRoot, folder, 'compose.yaml'), composeFile('one'));
    t.app.runner.start();
  });

  afterAll(async () => {
    await removeComposeProjects(docker, composeProjects);
    await docker
      .getVolume(`${base}_data`)
      .remove()
      .catch(() => {});
    await t?.close();
  });

  it('redeploys beside the live release on the same volume, and rolls back to the stored model', async () => {
    const res = await api('POST', '/api/v1/projects/deploy-existing', { path: folder, subdomain: `c${run}` });
    const id = res.json().project.id as string;
    await succeeded(res);
    const first = await project(id);
    expect(first.composeProject).toBe(base);
    expect(await served(first.hostPort)).toBe('one');
    const plan = (await api('GET', `/api/v1/projects/${id}/plan`)).json().plan;
    expect(plan).toMatchObject({ strategy: 'blue-green', strategyReason: null, composeProject: base });

    fs.writeFileSync(path.join(t.app.config.reposRoot, folder, 'compose.yaml'), composeFile('two'));
    const re = await succeeded(await api('POST', `/api/v1/projects/${id}/redeploy`));
    const log = await jobLog(t, auth, re.id);
    expect(log).toContain('strategy: blue/green');
    expect(log).toContain(`Taking down the previous release ${base}`);
    const second = await project(id);
    expect(second.hostPort).not.toBe(first.hostPort);
    expect(await served(second.hostPort)).toBe('two');
    expect(await running(base)).toEqual([]);
    expect((await running(`${base}_2`)).sort()).toEqual(['web', 'worker']);
    // Both releases mounted the one volume the user declared, under its first name.
    const web = (
      await docker.listContainers({
        filters: { label: [`com.docker.compose.project=${base}_2`, 'com.docker.compose.service=web'] },
      })
    )[0]!;
    expect(web.Mounts.find((m) => m.Destination === '/data')?.Name).toBe(`${base}_data`);
    expect((await api('GET', `/api/v1/projects/${id}/plan`)).json().plan.composeProject).toBe(`${base}_2`);

    const list = await releases(id);
    expect(
      list.map((r: { seq: number; live: boolean; composeProject: string }) => [
        r.seq,
        r.live,
        r.composeProject,
      ]),
    ).toEqual([
      [2, true, `${base}_2`],
      [1, false, base],
    ]);
    expect(list[0].images.map((i: { service: string }) => i.service)).toEqual(['web', 'worker']);

    // Rollback: the model of release 1 (MSG=one) although the folder now says two.
    await succeeded(await api('POST', `/api/v1/projects/${id}/releases/${list[1].id}/rollback`));
    const third = await project(id);
    expect(await served(third.hostPort)).toBe('one');
    expect(await running(`${base}_2`)).toEqual([]);
    expect((await running(base)).sort()).toEqual(['web', 'worker']);
    expect((await releases(id)).map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([
      [2, false],
      [1, true],
    ]);

    // Teardown takes every release's containers, its releases and their image tags.
    await succeeded(
      await t.app.http.inject({ method: 'DELETE', url: `/api/v1/projects/${id}`, headers: auth }),
    );
    expect(await running(base)).toEqual([]);
    expect(
      await t.app.db.kysely.selectFrom('releases').selectAll().where('project_id', '=', id).execute(),
    ).toEqual([]);
    expect(await docker.listImages({ filters: { reference: [`warp-release/${id}`] } })).toEqual([]);
  });

  it('says in the plan when redeploys must stop the running release first', async () => {
    const dir = path.join(t.app.config.reposRoot, `db-${run}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      `services:
  web:
    image: ${ECHO_IMAGE}
    ports: ["80"]
  db:
    image: postgres:16
    volumes: [pgdata:/var/lib/postgresql/data]
volumes:
  pgdata: {}
`,
    );
    const res = await api('POST', '/api/v1/projects/deploy-existing', {
      path: `db-${run}`,
      subdomain: `db${run}`,
      dryRun: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().plan).toMatchObject({
      strategy: 'stop-start',
      strategyReasons: ['service db runs postgres on the volume pgdata, which one server opens at a time'],
    });
    expect(res.json().plan.warnings.join('\n')).toMatch(
      /redeploys stop the running release before the new one starts/,
    );
  });
});
