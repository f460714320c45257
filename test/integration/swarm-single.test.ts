/**
 * On a single engine (the shared main engine, never put in Swarm mode) the panel says so, and refuses
 * Swarm deploys at once with the reason — the host target behaves as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEnv } from '../support/deploy-env.js';
import { skipWithoutDocker } from '../support/docker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

describe.skipIf(skip)('Swarm features on a single engine', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  const post = (url: string, payload: Record<string, unknown>) =>
    t.app.http.inject({ method: 'POST', url, headers: auth, payload });
  const projectCount = async () =>
    (await t.app.db.kysely.selectFrom('projects').select('id').execute()).length;

  beforeAll(async () => {
    t = await createTestApp({ env: deployEnv('19150-19159') });
    auth = await t.adminBearer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports the engine as a single engine with no nodes', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/nodes', headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ mode: 'single', role: null, items: [] });
    const join = await t.app.http.inject({ url: '/api/v1/nodes/join', headers: auth });
    expect(join.statusCode).toBe(422);
    expect(join.json().error.message).toMatch(/not in Swarm mode/);
  });

  it('refuses target swarm with the reason, and Swarm-only fields on the host, creating nothing', async () => {
    const swarm = await post('/api/v1/projects/quick-service', {
      image: 'warp-test/web:latest',
      subdomain: 'single',
      target: 'swarm',
      replicas: 2,
    });
    expect(swarm.statusCode).toBe(422);
    expect(swarm.json().error.message).toMatch(/not in Swarm mode: run `docker swarm init`/);
    const host = await post('/api/v1/projects/quick-service', {
      image: 'warp-test/web:latest',
      subdomain: 'single',
      replicas: 2,
      constraints: { zone: 'a' },
    });
    expect(host.statusCode).toBe(400);
    expect(host.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'replicas',
      'constraints',
    ]);
    const bad = await post('/api/v1/projects/quick-service', {
      image: 'warp-test/web:latest',
      subdomain: 'single',
      target: 'swarm',
      name: 'my.app',
      constraints: { zone: 'a,node.role==manager' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'name',
      'constraints.zone',
    ]);
    // A dry run shows the single-host plan: with target swarm it is refused before anything else.
    const dry = await post('/api/v1/projects/deploy-existing', {
      path: 'anything',
      subdomain: 'single',
      target: 'swarm',
      dryRun: true,
    });
    expect(dry.statusCode, dry.body).toBe(400);
    expect(dry.json().error.details.map((d: { path: string }) => d.path)).toEqual(['dryRun']);
    expect(await projectCount()).toBe(0);
  });

  it('shows host projects with target host and no replicas', async () => {
    const list = await t.app.http.inject({ url: '/api/v1/projects', headers: auth });
    expect(list.statusCode).toBe(200);
    const tasks = await t.app.http.inject({
      url: '/api/v1/projects/01900000-0000-7000-8000-00000000abcd/tasks',
      headers: auth,
    });
    expect(tasks.statusCode).toBe(404);
  });
});
