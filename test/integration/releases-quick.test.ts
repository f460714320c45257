import fs from 'node:fs';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import {
  CRASH_IMAGE,
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeProjectContainers,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { ensureReleaseImages, FLAKY_IMAGE, releaseImage, retag, served } from '../support/release-images.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const engines = await testEngines();
/** Host ports per engine: both suites may run at once. */
const PORTS = { sqlite: '18500-18549', postgres: '18550-18599' } as const;

/**
 * Releases of a quick service on the real engine, on SQLite and PostgreSQL: every deploy is a release, a redeploy runs
 * blue/green, a rollback re-runs the release's image by id although the tag has moved on, a release
 * that fails its gate (or falls over once live) leaves the previous one serving, and old releases are
 * pruned with their tags.
 */
describe.skipIf(skip).each(engines)('releases of a quick service (%s)', (engine) => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let configFile: string;
  const run = newRunId();
  const repo = `warp-test/rel-app-${run}`;
  const projectIds: string[] = [];
  const ids: Record<string, string> = {};

  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const releases = async (id: string) => (await api('GET', `/api/v1/projects/${id}/releases`)).json().items;
  const project = async (id: string) => (await api('GET', `/api/v1/projects/${id}`)).json();
  const succeeded = async (res: { statusCode: number; body: string; json(): { job: { id: string } } }) => {
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, auth, res.json().job.id);
    expect(job.status, await jobLog(t, auth, job.id)).toBe('succeeded');
    return job;
  };

  beforeAll(async () => {
    docker = await requireDocker();
    for (const v of ['v1', 'v2', 'v3'])
      ids[v] = (await docker.getImage(await releaseImage(docker, v)).inspect()).Id;
    await ensureReleaseImages(docker);
    await ensureDeployImages(docker);
    await retag(docker, 'warp-test/release-v1:latest', repo);
    t = await createTestApp({ engine, env: deployEnv(PORTS[engine]), healthGate: { stableMs: 3000 } });
    configFile = writeTunnelConfig(t);
    auth = await t.adminBearer();
    const s = await api('PATCH', '/api/v1/settings', { releases: { drainSeconds: 1, keep: 2 } });
    expect(s.statusCode, s.body).toBe(200);
    t.app.runner.start();
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds);
    await docker
      .getImage(`${repo}:latest`)
      .remove()
      .catch(() => {});
    await t?.close();
  });

  it('records every deploy, runs redeploys beside the live release, and rolls back to the exact image', async () => {
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: `${repo}:latest`,
      subdomain: `rel${run}`.slice(0, 30),
      env: { TOKEN: 'release-secret-value' },
    });
    const id = res.json().project.id as string;
    projectIds.push(id);
    await succeeded(res);
    const first = await project(id);
    expect(await served(first.hostPort)).toBe('v1');
    const [r1] = await releases(id);
    expect(r1).toMatchObject({
      seq: 1,
      live: true,
      strategy: 'blue-green',
      hostPort: first.hostPort,
      commit: null,
      envKeys: ['TOKEN'],
      images: [{ service: 'app', image: `${repo}:latest`, digest: ids.v1 }],
    });
    expect(JSON.stringify(r1)).not.toContain('release-secret-value');

    // The tag moves on (a new build): a redeploy is release 2, started beside release 1.
    await retag(docker, 'warp-test/release-v2:latest', repo);
    const re = await succeeded(await api('POST', `/api/v1/projects/${id}/redeploy`));
    const log = await jobLog(t, auth, re.id);
    expect(log).toContain('strategy: blue/green');
    expect(log).toMatch(/Watching the new release for 3 s while the previous one drains/);
    expect(log).not.toContain('release-secret-value');
    const second = await project(id);
    expect(second.hostPort).not.toBe(first.hostPort);
    expect(second.containerNames).toEqual(first.containerNames);
    expect(await served(second.hostPort)).toBe('v2');
    expect(await served(first.hostPort)).toBeNull(); // the old one drained and went
    const list = await releases(id);
    expect(list.map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(list[0].images[0].digest).toBe(ids.v2);

    // Rollback to release 1: its image by id, though `latest` is v2 now.
    const back = await succeeded(await api('POST', `/api/v1/projects/${id}/releases/${r1.id}/rollback`));
    expect(await jobLog(t, auth, back.id)).toMatch(/rolling back to release #1/);
    const third = await project(id);
    expect(await served(third.hostPort)).toBe('v1');
    const info = await docker.getContainer(third.containerNames[0]).inspect();
    expect(info.Image).toBe(ids.v1);
    expect(info.Config.Env).toContain('TOKEN=release-secret-value');
    expect((await releases(id)).map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(fs.readFileSync(configFile, 'utf8')).toContain(`service: http://localhost:${third.hostPort}`);

    // Rolling back to the live release is a conflict; an unknown release is not found.
    expect((await api('POST', `/api/v1/projects/${id}/releases/${r1.id}/rollback`)).statusCode).toBe(409);
    const unknown = await api('POST', `/api/v1/projects/${id}/releases/${crypto.randomUUID()}/rollback`);
    expect(unknown.statusCode).toBe(404);

    // keep = 2: release 3 pushes out release 1 (with its tag; its image stays for the v1 tag).
    await retag(docker, 'warp-test/release-v3:latest', repo);
    await succeeded(await api('POST', `/api/v1/projects/${id}/redeploy`));
    const tagsNow = async () =>
      (await docker.listImages({ filters: { reference: [`warp-release/${id}`] } }))
        .flatMap((i) => i.RepoTags ?? [])
        .sort();
    expect((await releases(id)).map((r: { seq: number }) => r.seq)).toEqual([3, 2]);
    expect(await tagsNow()).toEqual([`warp-release/${id}:r2`, `warp-release/${id}:r3`]);
    expect((await docker.getImage(ids.v1!).inspect()).RepoTags).toContain('warp-test/release-v1:latest');
    expect(await served((await project(id)).hostPort)).toBe('v3');

    // The live release is always kept, even beyond releases.keep.
    await api('PATCH', '/api/v1/settings', { releases: { keep: 1 } });
    const r2 = (await releases(id)).find((r: { seq: number }) => r.seq === 2);
    await succeeded(await api('POST', `/api/v1/projects/${id}/releases/${r2.id}/rollback`));
    expect((await releases(id)).map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([
      [3, false],
      [2, true],
    ]);
    expect(await served((await project(id)).hostPort)).toBe('v2');
    await api('PATCH', '/api/v1/settings', { releases: { keep: 2 } });
  });

  it('keeps the live release serving when the new one fails its gate or falls over once live', async () => {
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: 'warp-test/release-v1:latest',
      subdomain: `keep${run}`.slice(0, 30),
    });
    const id = res.json().project.id as string;
    projectIds.push(id);
    await succeeded(res);
    const before = await project(id);
    const routeBefore = fs.readFileSync(configFile, 'utf8');

    for (const [image, expected] of [
      [CRASH_IMAGE, /never received traffic; the previous release keeps serving/],
      [FLAKY_IMAGE, /fell over after it went live .*the previous release serves again/],
    ] as const) {
      // A redeploy with another image: swap what the project runs (as a PATCH would).
      await t.app.repos.projects.update(id, { image });
      const job = await waitForJob(
        t,
        auth,
        (await api('POST', `/api/v1/projects/${id}/redeploy`)).json().job.id,
      );
      const log = await jobLog(t, auth, job.id);
      expect(job.status, log).toBe('failed');
      expect(`${log}\n${job.error.message}`).toMatch(expected);
      const after = await project(id);
      expect(after).toMatchObject({ status: 'running', hostPort: before.hostPort });
      expect(await served(before.hostPort)).toBe('v1');
      expect(fs.readFileSync(configFile, 'utf8')).toContain(`service: http://localhost:${before.hostPort}`);
      expect((await releases(id)).map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([
        [1, true],
      ]);
      const mine = await docker.listContainers({ all: true, filters: { label: [`warp.project=${id}`] } });
      expect(mine.map((c) => c.Names[0])).toEqual([`/${before.containerNames[0]}`]);
      const held = (await t.app.db.kysely.selectFrom('port_reservations').selectAll().execute()).filter(
        (r) => r.project_id === id,
      );
      expect(held.map((r) => r.port)).toEqual([before.hostPort]);
    }
    expect(fs.readFileSync(configFile, 'utf8')).toBe(routeBefore);
  });
});
