import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemService } from '../../src/features/system/system.service.js';
import { createDockerClient, type DockerClient } from '../../src/integrations/docker/docker-client.js';
import { systemClock } from '../../src/lib/clock.js';
import { skipWithoutDocker, TEST_DOCKER_HOST } from '../support/docker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const silent = pino({ level: 'silent' });

describe('an engine that is down', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ env: { DOCKER_HOST: 'unix:///tmp/nope.sock' } });
    auth = await t.adminBearer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns container calls into 502 UPSTREAM_ERROR naming the engine and the reason', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/containers', headers: auth });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'Docker engine: connect ENOENT /tmp/nope.sock',
    });
    const stats = await t.app.http.inject({ url: '/api/v1/system/docker', headers: auth });
    expect(stats.statusCode).toBe(502);
  });

  it('answers /health/docker with 503 down and the reason (the status only to anonymous callers)', async () => {
    const anonymous = await t.app.http.inject({ url: '/health/docker' });
    expect(anonymous.statusCode).toBe(503);
    expect(anonymous.json()).toEqual({ status: 'down' });
    const res = await t.app.http.inject({ url: '/health/docker', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'down', message: 'Docker engine: connect ENOENT /tmp/nope.sock' });
  });
});

describe.skipIf(skip)('system figures from the real engine', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ env: { DOCKER_HOST: TEST_DOCKER_HOST } });
    auth = await t.adminBearer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /health/docker with the engine and pinned API versions', async () => {
    const res = await t.app.http.inject({ url: '/health/docker', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'ok',
      engineVersion: expect.any(String),
      latencyMs: expect.any(Number),
    });
    const engineApi = (await t.app.docker.call('version', (d) => d.version())).ApiVersion;
    // The pin is the lower of the engine's and ours (1.47).
    const expected = Number(engineApi.split('.')[1]) < 47 ? engineApi : '1.47';
    expect(body.apiVersion).toBe(expected);
  });

  it('serves /system/docker in the documented shape and from the cache on the next call', async () => {
    const first = await t.app.http.inject({ url: '/api/v1/system/docker', headers: auth });
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body).toMatchObject({
      containers: { total: expect.any(Number), running: expect.any(Number), stopped: expect.any(Number) },
      images: { count: expect.any(Number), size: expect.any(Number) },
      volumes: { count: expect.any(Number), size: expect.any(Number) },
      buildCache: { size: expect.any(Number) },
      totalSize: expect.any(Number),
      reclaimable: expect.any(Number),
      measuredAt: expect.any(String),
    });
    expect(body.containers.total).toBe(body.containers.running + body.containers.stopped);
    expect(body.images.count).toBeGreaterThanOrEqual(1);
    expect(body.images.size).toBeGreaterThan(0);
    const second = await t.app.http.inject({ url: '/api/v1/system/docker', headers: auth });
    expect(second.json().measuredAt).toBe(body.measuredAt);
  });

  it('answers /system/host with CPUs, MemAvailable, load and the data dir disk', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/system/host', headers: auth });
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h.cpus).toBeGreaterThanOrEqual(1);
    expect(h.memoryAvailable).toBeGreaterThan(0);
    expect(h.memoryAvailable).toBeLessThanOrEqual(h.memoryTotal);
    expect(h.load).toHaveLength(3);
    expect(h.disk.path).toBe(t.dataDir);
    expect(h.disk.free).toBeLessThanOrEqual(h.disk.total);
  });
});

describe.skipIf(skip)('docker stats cache', () => {
  let docker: DockerClient;
  let dfCalls = 0;
  const counting = (): DockerClient => ({
    ...docker,
    call: (label, fn, o) => {
      if (label === 'GET /system/df') dfCalls++;
      return docker.call(label, fn, o);
    },
  });
  beforeAll(() => {
    docker = createDockerClient({ dockerHost: TEST_DOCKER_HOST, log: silent });
  });

  it('computes once for concurrent first callers (single flight)', async () => {
    dfCalls = 0;
    const system = createSystemService({ docker: counting(), dataDir: '/', clock: systemClock, log: silent });
    const results = await Promise.all(Array.from({ length: 5 }, () => system.dockerStats()));
    expect(dfCalls).toBe(1);
    expect(new Set(results.map((r) => r.measuredAt)).size).toBe(1);
  });

  it('serves the stale value at once after the TTL and refreshes in the background', async () => {
    dfCalls = 0;
    const system = createSystemService({
      docker: counting(),
      dataDir: '/',
      clock: { now: () => new Date(Date.now() + dfCalls * 1000) },
      log: silent,
      ttlMs: 0,
    });
    const first = await system.dockerStats();
    const stale = await system.dockerStats();
    // The expired value comes back without waiting; exactly one refresh started.
    expect(stale.measuredAt).toBe(first.measuredAt);
    expect(dfCalls).toBe(2);
    let fresh = stale;
    for (let i = 0; i < 100 && fresh.measuredAt === first.measuredAt; i++) {
      await new Promise((r) => setTimeout(r, 50));
      fresh = await system.dockerStats();
    }
    expect(fresh.measuredAt).not.toBe(first.measuredAt);
  });
});
