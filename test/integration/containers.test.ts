import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import {
  cleanupDocker,
  createTestContainer,
  createTestVolume,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
} from '../support/docker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

/** Poll `fn` until it returns a truthy value (bounded), for engine state that settles asynchronously. */
async function eventually<T>(fn: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(skip)('containers API on the real engine', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  const run = newRunId();
  const projectId = newId();
  const extraVolumes: string[] = [];

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string) =>
    t.app.http.inject({ method, url, headers: auth });

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    t = await createTestApp();
    auth = await t.adminBearer();
    const now = new Date().toISOString();
    await t.app.repos.projects.insert({
      id: projectId,
      name: `${run}-project`,
      kind: 'existing',
      subdomain: run,
      status: 'running',
      compose_project: `warp-${run}`,
      container_names: JSON.stringify([`${run}-mapped`]),
      spec: '{}',
      created_at: now,
      updated_at: now,
    });
    await createTestContainer(docker, run, { name: `${run}-web` });
    await createTestContainer(docker, run, { name: `${run}-db`, start: false });
    await createTestVolume(docker, run, `${run}-projvol`);
    await docker.createVolume({
      Name: `${run}-labelled`,
      Labels: { 'warp.test': run, 'warp.project': projectId },
    });
    await createTestContainer(docker, run, {
      name: `${run}-labelled`,
      labels: { 'warp.project': projectId, 'warp.managed': 'true' },
    });
    await createTestContainer(docker, run, { name: `${run}-mapped`, start: false });
    // Its name starts with a mapped name, but it is not the project's.
    await createTestContainer(docker, run, { name: `${run}-mapped-not` });
    await createTestContainer(docker, run, {
      name: `${run}-compose`,
      labels: { 'com.docker.compose.project': `warp-${run}` },
      binds: [`${run}-projvol:/data`],
    });
  });

  afterAll(async () => {
    if (docker) await cleanupDocker(docker, run, extraVolumes);
    await t?.close();
  });

  it('lists running and stopped containers with state, name and q filters', async () => {
    const all = await api('GET', `/api/v1/containers?q=${run}`);
    expect(all.statusCode).toBe(200);
    const names = all.json().items.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining([`${run}-web`, `${run}-db`, `${run}-mapped`]));

    const running = (await api('GET', `/api/v1/containers?state=running&q=${run}`)).json().items;
    expect(running.map((c: { name: string }) => c.name)).toContain(`${run}-web`);
    expect(running.every((c: { state: string }) => c.state === 'running')).toBe(true);

    const stopped = (await api('GET', `/api/v1/containers?state=stopped&q=${run}`)).json().items;
    expect(stopped.map((c: { name: string }) => c.name).sort()).toEqual([`${run}-db`, `${run}-mapped`]);
    expect(stopped[0].state).toBe('created');

    const one = (await api('GET', `/api/v1/containers?name=${run}-web`)).json().items;
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ name: `${run}-web`, image: 'warp-test/busybox:latest', managed: false });
  });

  it('scopes by project through the label and the database mapping, with volumes and images', async () => {
    const res = await api('GET', `/api/v1/containers?projectId=${projectId}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const names = body.items.map((c: { name: string }) => c.name).sort();
    expect(names).toEqual([`${run}-compose`, `${run}-labelled`, `${run}-mapped`]);
    for (const c of body.items) expect(c.projectId).toBe(projectId);
    expect(body.items.find((c: { name: string }) => c.name === `${run}-compose`).composeProject).toBe(
      `warp-${run}`,
    );
    const volumes = body.volumes.map((v: { name: string }) => v.name);
    expect(volumes).toEqual(expect.arrayContaining([`${run}-labelled`, `${run}-projvol`]));
    expect(body.images.some((i: { tags: string[] }) => i.tags.includes('warp-test/busybox:latest'))).toBe(
      true,
    );
  });

  it('stops a container, keeps it, and treats a second stop as success; audits both', async () => {
    const first = await api('POST', `/api/v1/containers/${run}-web/stop`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ name: `${run}-web`, state: 'exited' });
    const second = await api('POST', `/api/v1/containers/${run}-web/stop`);
    expect(second.statusCode).toBe(200);
    expect(second.json().state).toBe('exited');
    const info = await docker.getContainer(`${run}-web`).inspect();
    expect(info.Config.Cmd).toEqual(['sleep', '3600']);
    const audit = (await api('GET', '/api/v1/audit?action=container.stop')).json().items;
    expect(audit.filter((a: { target: string }) => a.target === `${run}-web`)).toHaveLength(2);
  });

  it('restarts a stopped container and records the project in the audit entry', async () => {
    const res = await api('POST', `/api/v1/containers/${run}-labelled/restart`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'running', projectId });
    const stopped = await api('POST', `/api/v1/containers/${run}-db/restart`);
    expect(stopped.json().state).toBe('running');
    const audit = (await api('GET', `/api/v1/audit?action=container.restart&projectId=${projectId}`)).json();
    expect(audit.items[0]).toMatchObject({ target: `${run}-labelled`, result: 'ok' });
  });

  it('rejects malformed references with 400 and unknown containers with 404', async () => {
    for (const bad of ['bad%20id!', '-leading', 'x', '..%2F..']) {
      const res = await api('POST', `/api/v1/containers/${bad}/stop`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const unknown = await api('POST', `/api/v1/containers/${run}-nope/restart`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: `container ${run}-nope not found`,
    });
    expect((await api('DELETE', `/api/v1/containers/${run}-nope`)).statusCode).toBe(404);
    expect((await api('GET', `/api/v1/containers/${run}-nope/logs`)).statusCode).toBe(404);
  });

  it('remove with volumes=false keeps named and anonymous volumes', async () => {
    const named = await createTestVolume(docker, run, `${run}-keep`);
    const c = await createTestContainer(docker, run, {
      name: `${run}-rm1`,
      binds: [`${named}:/data`],
      volumes: ['/anon'],
    });
    const anon = (await c.inspect()).Mounts.find((m) => m.Destination === '/anon')?.Name as string;
    extraVolumes.push(anon);
    const res = await api('DELETE', `/api/v1/containers/${run}-rm1?volumes=false`);
    expect(res.statusCode).toBe(204);
    await expect(c.inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getVolume(named).inspect()).resolves.toMatchObject({ Name: named });
    await expect(docker.getVolume(anon).inspect()).resolves.toMatchObject({ Name: anon });
  });

  it('remove with volumes=true removes volumes only it used and keeps a shared one', async () => {
    const solo = await createTestVolume(docker, run, `${run}-solo`);
    const shared = await createTestVolume(docker, run, `${run}-shared`);
    const c = await createTestContainer(docker, run, {
      name: `${run}-rm2`,
      binds: [`${solo}:/solo`, `${shared}:/shared`],
      volumes: ['/anon'],
    });
    const anon = (await c.inspect()).Mounts.find((m) => m.Destination === '/anon')?.Name as string;
    extraVolumes.push(anon);
    // The other user of the shared volume is stopped: it still counts.
    await createTestContainer(docker, run, { name: `${run}-sharer`, binds: [`${shared}:/s`], start: false });
    const res = await api('DELETE', `/api/v1/containers/${run}-rm2?volumes=true`);
    expect(res.statusCode).toBe(204);
    await expect(docker.getVolume(solo).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getVolume(anon).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getVolume(shared).inspect()).resolves.toMatchObject({ Name: shared });
    const audit = (await api('GET', '/api/v1/audit?action=container.remove')).json().items;
    const entry = audit.find((a: { target: string }) => a.target === `${run}-rm2`);
    expect(entry.details).toMatchObject({
      removedVolumes: expect.arrayContaining([solo, anon]),
      keptVolumes: [shared],
    });
  });

  it('tails logs of a non-TTY container with streams and timestamps', async () => {
    await createTestContainer(docker, run, {
      name: `${run}-logs`,
      cmd: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; sleep 3600'],
    });
    const lines = await eventually(async () => {
      const res = await api('GET', `/api/v1/containers/${run}-logs/logs?tail=200`);
      const l = res.json().lines as { ts: string; stream: string; text: string }[];
      return l.length >= 3 ? l : null;
    }, 'three log lines');
    // stdout and stderr are copied by separate engine goroutines: their relative order is not fixed.
    expect(
      lines.map((l) => [l.stream, l.text]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ['stderr', 'err1'],
      ['stdout', 'out1'],
      ['stdout', 'out2'],
    ]);
    expect(lines[0]?.ts).toMatch(/^\d{4}-\d\d-\d\dT/);
    const tail1 = (await api('GET', `/api/v1/containers/${run}-logs/logs?tail=1&timestamps=false`)).json();
    const last = lines.at(-1);
    expect(tail1.lines).toEqual([{ ts: null, stream: last?.stream, text: last?.text }]);
  });

  it('tails logs of a TTY container (raw stream, no frames, no carriage returns)', async () => {
    await createTestContainer(docker, run, {
      name: `${run}-tty`,
      tty: true,
      cmd: ['sh', '-c', 'echo tty1; echo tty2; sleep 3600'],
    });
    const lines = await eventually(async () => {
      const l = (await api('GET', `/api/v1/containers/${run}-tty/logs`)).json().lines as {
        text: string;
        stream: string;
      }[];
      return l.length >= 2 ? l : null;
    }, 'two tty lines');
    expect(lines.map((l) => l.text)).toEqual(['tty1', 'tty2']);
    expect(lines.every((l) => l.stream === 'stdout')).toBe(true);
  });
});
