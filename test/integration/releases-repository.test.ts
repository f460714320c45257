/** The releases table and the settings it brings, on both engines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();

describe.each(engines)('releases repository (%s)', (engine) => {
  let t: TestApp;
  const projectId = newId();
  const other = newId();
  const now = new Date().toISOString();
  const row = (project: string, seq: number, status: 'pending' | 'ready' = 'ready') => ({
    id: newId(),
    project_id: project,
    seq,
    status,
    live: 0,
    strategy: 'blue-green' as const,
    images: JSON.stringify([
      { service: 'web', image: 'x', digest: 'sha256:1', imageId: 'sha256:1', ref: 'r', built: null },
    ]),
    commit_sha: seq % 2 ? 'a'.repeat(40) : null,
    host_port: 8100 + seq,
    compose_project: null,
    content: 'sealed',
    job_id: null,
    actor: 'admin',
    created_at: now,
    activated_at: null,
  });

  beforeAll(async () => {
    t = await createTestApp({ engine });
    for (const id of [projectId, other]) {
      await t.app.repos.projects.insert({
        id,
        name: 'p',
        kind: 'quick',
        subdomain: `p${id.slice(-8)}`,
        status: 'running',
        container_names: '[]',
        spec: '{}',
        created_at: now,
        updated_at: now,
      });
    }
  });
  afterAll(async () => t?.close());

  it('numbers releases per project, lists finished ones newest first, and keeps one live per project', async () => {
    const repo = t.app.repos.releases;
    expect(await repo.nextSeq(projectId)).toBe(1);
    const rows = [row(projectId, 1), row(projectId, 2), row(projectId, 3, 'pending'), row(other, 1)];
    for (const r of rows) await repo.insert(r);
    expect(await repo.nextSeq(projectId)).toBe(4); // pending ones count: numbers are never reused
    expect((await repo.list(projectId)).map((r) => r.seq)).toEqual([2, 1]);
    expect((await repo.pending(projectId)).map((r) => r.seq)).toEqual([3]);

    await t.app.repos.transaction(() => repo.setLive(projectId, rows[0]!.id, { host_port: 9001 }));
    await t.app.repos.transaction(() => repo.setLive(other, rows[3]!.id, {}));
    await t.app.repos.transaction(() => repo.setLive(projectId, rows[2]!.id, { activated_at: now }));
    const all = await t.app.db.kysely.selectFrom('releases').selectAll().orderBy('seq').execute();
    const mine = all.filter((r) => r.project_id === projectId);
    expect(mine.map((r) => [r.seq, r.live, r.status])).toEqual([
      [1, 0, 'ready'],
      [2, 0, 'ready'],
      [3, 1, 'ready'],
    ]);
    expect(mine[0]!.host_port).toBe(9001);
    expect((await repo.live(other))?.id).toBe(rows[3]!.id); // another project's live mark is untouched
    expect((await repo.live(projectId))?.seq).toBe(3);
    expect(typeof mine[0]!.live).toBe('number');
  });

  it('refuses a second release with the same number; delete removes just that one', async () => {
    const repo = t.app.repos.releases;
    await expect(repo.insert(row(projectId, 1))).rejects.toThrow();
    await repo.delete((await repo.find(projectId, (await repo.list(projectId))[0]!.id))!.id);
    expect((await repo.list(projectId)).map((r) => r.seq)).toEqual([2, 1]);
  });

  it('stores the release settings and the replica list, and keeps replicas for {mode, target} clients', async () => {
    const auth = await t.adminBearer();
    const patch = (payload: object) =>
      t.app.http.inject({ method: 'PATCH', url: '/api/v1/settings', headers: auth, payload });
    const before = (await t.app.http.inject({ url: '/api/v1/settings', headers: auth })).json();
    expect(before.releases).toEqual({ keep: 5, drainSeconds: 10 });
    expect(before.tunnel.restart).toEqual({ mode: 'none', target: null, replicas: [] });

    const replicas = [
      { target: 'cloudflared@1', metrics: '127.0.0.1:20241' },
      { target: 'cloudflared@2', metrics: '127.0.0.1:20242' },
    ];
    const set = await patch({
      releases: { keep: 3, drainSeconds: 0 },
      tunnel: { restart: { mode: 'systemd', target: 'cloudflared@1', replicas } },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().tunnel.restart.replicas).toEqual(replicas);
    expect(set.json().releases).toEqual({ keep: 3, drainSeconds: 0 });
    // A client that knows only {mode, target} does not wipe the list; mode none does.
    const old = await patch({ tunnel: { restart: { mode: 'systemd', target: 'cloudflared@1' } } });
    expect(old.json().tunnel.restart.replicas).toEqual(replicas);
    const none = await patch({ tunnel: { restart: { mode: 'none', target: null } } });
    expect(none.json().tunnel.restart).toEqual({ mode: 'none', target: null, replicas: [] });

    for (const bad of [
      { releases: { keep: 0 } },
      { releases: { drainSeconds: 601 } },
      { tunnel: { restart: { mode: 'systemd', target: null, replicas: [] } } },
      { tunnel: { restart: { mode: 'systemd', target: null, replicas: [replicas[0], replicas[0]] } } },
      {
        tunnel: {
          restart: { mode: 'docker', target: 'c', replicas: [{ target: 'c', metrics: 'http://x/ready' }] },
        },
      },
    ]) {
      expect((await patch(bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    // Replicas without a target of their own: the list alone is enough.
    const listOnly = await patch({ tunnel: { restart: { mode: 'docker', target: null, replicas } } });
    expect(listOnly.statusCode, listOnly.body).toBe(200);
  });
});
