import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallers } from '../support/authz-callers.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_DOCKER_HOST,
  TEST_IMAGE,
  TEST_LABEL,
} from '../support/docker.js';
import { openSse } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

type Items = { items: { name: string }[] };
type ErrorBody = { error: { code: string; message: string } };

describe.skipIf(skip)('least privilege: containers the panel does not manage are the admin’s', () => {
  let t: TestApp;
  let docker: Docker;
  let callers: Awaited<ReturnType<typeof createCallers>>;
  const run = newRunId();
  const cloudflaredImage = `cloudflare/cloudflared:warp-test-${run}`;
  const managed = { 'warp.managed': 'true', 'warp.project': `p-${run}` };

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    await docker.getImage(TEST_IMAGE).tag({ repo: 'cloudflare/cloudflared', tag: `warp-test-${run}` });
    t = await createTestApp({
      env: { DOCKER_HOST: TEST_DOCKER_HOST },
      streamLimits: { perCaller: 4, total: 6 },
    });
    callers = await createCallers(t);
    await createTestContainer(docker, run, {
      name: `${run}-host`,
      cmd: ['sh', '-c', 'echo host-line; sleep 3600'],
    });
    await createTestContainer(docker, run, {
      name: `${run}-app`,
      cmd: ['sh', '-c', 'echo app-line; sleep 3600'],
      labels: managed,
    });
    // A connector run from a cloudflared image (managed label or not, it keeps running).
    const c = await docker.createContainer({
      Image: cloudflaredImage,
      name: `${run}-tunnel`,
      Cmd: ['sleep', '3600'],
      Labels: { [TEST_LABEL]: run, ...managed },
      HostConfig: { Init: true },
    });
    await c.start();
    await createTestContainer(docker, run, { name: `${run}-named-tunnel` });
  });

  afterAll(async () => {
    if (docker) {
      await cleanupDocker(docker, run);
      await docker
        .getImage(cloudflaredImage)
        .remove()
        .catch(() => {});
    }
    await t?.close();
  });

  const api = (caller: { headers: Record<string, string> }, method: 'GET' | 'POST' | 'DELETE', url: string) =>
    callers.call({ caller: caller as never, method, url });

  it('hides unmanaged containers from an operator’s list and shows them to an admin', async () => {
    const op = (
      await api(callers.operatorBearer, 'GET', `/api/v1/containers?q=${run}`)
    ).json() as unknown as Items;
    const names = op.items.map((c: { name: string }) => c.name).sort();
    expect(names).toEqual([`${run}-app`, `${run}-tunnel`]);
    const admin = (
      await api(callers.adminBearer, 'GET', `/api/v1/containers?q=${run}`)
    ).json() as unknown as Items;
    expect(admin.items.map((c: { name: string }) => c.name)).toContain(`${run}-host`);
  });

  it('answers 403 to an operator for every action on an unmanaged container, and lets it act on managed ones', async () => {
    for (const [method, url] of [
      ['POST', `/api/v1/containers/${run}-host/stop`],
      ['POST', `/api/v1/containers/${run}-host/restart`],
      ['DELETE', `/api/v1/containers/${run}-host?volumes=true`],
      ['GET', `/api/v1/containers/${run}-host/logs`],
      ['GET', `/api/v1/containers/${run}-host/stats`],
    ] as const) {
      const res = await api(callers.operatorCookie, method, url);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect((res.json() as unknown as ErrorBody).error.code).toBe('FORBIDDEN');
    }
    expect((await docker.getContainer(`${run}-host`).inspect()).State.Running).toBe(true);
    const logs = await api(callers.operatorCookie, 'GET', `/api/v1/containers/${run}-app/logs`);
    expect(logs.statusCode).toBe(200);
    expect(logs.json()).toMatchObject({ truncated: false });
    expect((logs.json() as unknown as { lines: { text: string }[] }).lines.map((l) => l.text)).toContain(
      'app-line',
    );
    expect(
      (await api(callers.operatorCookie, 'POST', `/api/v1/containers/${run}-app/restart`)).statusCode,
    ).toBe(200);
    // The admin may act on the host's containers.
    expect((await api(callers.adminCookie, 'GET', `/api/v1/containers/${run}-host/logs`)).statusCode).toBe(
      200,
    );
  });

  it('gives CPU and memory of a managed container to an operator, from the engine, and nulls when stopped', async () => {
    type Stats = { id: string; running: boolean; cpuPercent: number | null; memoryBytes: number | null };
    const res = await api(callers.operatorCookie, 'GET', `/api/v1/containers/${run}-app/stats`);
    expect(res.statusCode, res.body).toBe(200);
    const stats = res.json() as unknown as Stats;
    const id = (await docker.getContainer(`${run}-app`).inspect()).Id;
    expect(stats).toMatchObject({ id, running: true });
    // A running shell uses some memory; the engine's second sample gives a CPU rate (≥ 0).
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.cpuPercent).toBeGreaterThanOrEqual(0);
    await createTestContainer(docker, run, { name: `${run}-stopped`, labels: managed, start: false });
    const idle = await api(callers.operatorCookie, 'GET', `/api/v1/containers/${run}-stopped/stats`);
    expect(idle.json()).toMatchObject({ running: false, cpuPercent: null, memoryBytes: null });
    expect(
      (await api(callers.operatorCookie, 'GET', `/api/v1/containers/${run}-nope/stats`)).statusCode,
    ).toBe(404);
  });

  it('streams only managed containers to an operator', async () => {
    const url = `http://127.0.0.1:${(t.app.http.server.address() as { port: number }).port}`;
    const op = await openSse(`${url}/api/v1/containers/logs/stream?tail=5`, callers.operatorBearer.headers);
    const events = await op.wait(
      (all) => all.some((e) => e.event === 'log' && JSON.parse(e.data).containerName === `${run}-app`),
      10_000,
    );
    op.close();
    const names = new Set(
      events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).containerName),
    );
    expect(names.has(`${run}-app`)).toBe(true);
    expect(names.has(`${run}-host`)).toBe(false);
  });

  it('never stops or removes a cloudflared container, for anyone (409)', async () => {
    for (const caller of [callers.adminBearer, callers.operatorBearer]) {
      const stop = await api(caller, 'POST', `/api/v1/containers/${run}-tunnel/stop`);
      expect(stop.statusCode).toBe(409);
      expect((stop.json() as unknown as ErrorBody).error.message).toMatch(/tunnel \(cloudflared\)/);
      expect((await api(caller, 'DELETE', `/api/v1/containers/${run}-tunnel`)).statusCode).toBe(409);
    }
    expect((await docker.getContainer(`${run}-tunnel`).inspect()).State.Running).toBe(true);
  });

  it('protects the container the docker restart setting names', async () => {
    await t.app.services.settings.update(
      { actor: null, requestId: null, ip: null },
      { tunnel: { restart: { mode: 'docker', target: `${run}-named-tunnel` } } },
    );
    const res = await api(callers.adminBearer, 'DELETE', `/api/v1/containers/${run}-named-tunnel`);
    expect(res.statusCode).toBe(409);
    expect((await docker.getContainer(`${run}-named-tunnel`).inspect()).State.Running).toBe(true);
  });

  it('keeps the volume that holds the panel’s data when a container is removed with its volumes', async () => {
    const name = `${run}-paneldata`;
    const vol = await docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: run } });
    const mount = (await docker.getVolume(name).inspect()).Mountpoint;
    expect(vol).toBeTruthy();
    const panel = await createTestApp({
      env: { DOCKER_HOST: TEST_DOCKER_HOST, WARP_DATA_DIR: path.join(mount, 'warp') },
    });
    try {
      expect(fs.existsSync(path.join(mount, 'warp'))).toBe(true);
      await createTestContainer(docker, run, {
        name: `${run}-uses-data`,
        binds: [`${name}:/data`],
        labels: managed,
      });
      const auth = await panel.adminBearer();
      const res = await panel.app.http.inject({
        method: 'DELETE',
        url: `/api/v1/containers/${run}-uses-data?volumes=true`,
        headers: auth,
      });
      expect(res.statusCode).toBe(204);
      expect((await docker.getVolume(name).inspect()).Name).toBe(name);
    } finally {
      await panel.close();
      await docker
        .getVolume(name)
        .remove()
        .catch(() => {});
    }
  });

  it('caps concurrent log streams per caller and in total (429), and gives slots back', async () => {
    const url = `http://127.0.0.1:${(t.app.http.server.address() as { port: number }).port}`;
    const stream = `${url}/api/v1/containers/logs/stream?name=${run}-app`;
    const open = await Promise.all(
      Array.from({ length: 6 }, () => openSse(stream, callers.operatorBearer.headers)),
    );
    const statuses = open.map((s) => s.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Another caller still has room up to the total (6): two more, then 429.
    const more = await Promise.all(
      Array.from({ length: 3 }, () => openSse(stream, callers.adminBearer.headers)),
    );
    expect(more.map((s) => s.status).sort()).toEqual([200, 200, 429]);
    for (const s of [...open, ...more]) s.close();
    // Slots come back once the streams closed.
    for (let i = 0; i < 50; i++) {
      const again = await openSse(stream, callers.operatorBearer.headers);
      again.close();
      if (again.status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('slots were not released');
  });
});

describe.skipIf(skip)('least privilege: a huge container log is read within a fixed budget', () => {
  let t: TestApp;
  let docker: Docker;
  const run = newRunId();

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    t = await createTestApp({ env: { DOCKER_HOST: TEST_DOCKER_HOST } });
    // ~100 MB of 10 kB lines, then idle.
    await createTestContainer(docker, run, {
      name: `${run}-noisy`,
      labels: { 'warp.managed': 'true' },
      cmd: [
        'sh',
        '-c',
        's=$(busybox head -c 10000 /dev/zero | busybox tr "\\0" x); busybox yes "$s" | busybox head -c 104857600; sleep 3600',
      ],
    });
    for (let i = 0; i < 600; i++) {
      const info = await docker.getContainer(`${run}-noisy`).inspect();
      const size = fs.existsSync(info.LogPath) ? fs.statSync(info.LogPath).size : 0;
      if (size > 100 * 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 180_000);

  afterAll(async () => {
    if (docker) await cleanupDocker(docker, run);
    await t?.close();
  });

  it('answers the last lines under 10 MB and says it cut', async () => {
    const auth = await t.adminBearer();
    const res = await t.app.http.inject({
      url: `/api/v1/containers/${run}-noisy/logs?tail=10000`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { truncated: boolean; lines: { text: string }[] };
    expect(body.truncated).toBe(true);
    const bytes = body.lines.reduce((n, l) => n + l.text.length, 0);
    expect(bytes).toBeLessThanOrEqual(10 * 1024 * 1024);
    expect(bytes).toBeGreaterThan(5 * 1024 * 1024);
  }, 120_000);

  it('reads the ~100 MB log in a process whose heap is 64 MB (holding it whole would crash it)', async () => {
    const child = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=64',
        '--import',
        'tsx',
        'test/support/log-tail-child.ts',
        TEST_DOCKER_HOST,
        `${run}-noisy`,
        '10000',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.status, child.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(child.stdout.trim()) as { bytes: number; truncated: boolean; peakRss: number };
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBeLessThanOrEqual(10 * 1024 * 1024);
  }, 120_000);
});
