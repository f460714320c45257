import net from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { testEngines } from '../support/databases.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_DOCKER_HOST,
} from '../support/docker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const engines = await testEngines();

/** A 40-port window picked at random, away from the usual service ports. */
const randomBase = () => 20_000 + Math.floor(Math.random() * 800) * 50;

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe.skipIf(skip).each(engines)('free ports on %s', (engine) => {
  let t: TestApp;
  let docker: Docker;
  let listener: net.Server;
  const run = newRunId();
  const base = randomBase();

  async function project(): Promise<string> {
    const id = newId();
    const now = new Date().toISOString();
    await t.app.repos.projects.insert({
      id,
      name: `p-${id}`,
      kind: 'quick',
      subdomain: `s${id.slice(-8)}`,
      status: 'pending',
      container_names: '[]',
      spec: '{}',
      created_at: now,
      updated_at: now,
    });
    return id;
  }

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    t = await createTestApp({
      engine,
      env: { DOCKER_HOST: TEST_DOCKER_HOST, WARP_PORT_RANGE: `${base}-${base + 39}` },
    });
    listener = await listen(base);
    // Published by a container that was created but never started: it takes the port when started.
    await createTestContainer(docker, run, {
      name: `${run}-stopped`,
      start: false,
      ports: { '80/tcp': base + 1 },
    });
  });

  afterAll(async () => {
    listener?.close();
    if (docker) await cleanupDocker(docker, run);
    await t?.close();
  });

  it('skips a host listener, a stopped container’s published port and a reserved port', async () => {
    const holder = await project();
    expect(await t.app.ports.reserveSpecific(base + 2, { projectId: holder })).toBe(base + 2);
    const owner = await project();
    const port = await t.app.ports.reserve({ projectId: owner, jobId: null });
    expect(port).toBe(base + 3);
    // A retried deploy of the same project converges on the same port.
    expect(await t.app.ports.reserve({ projectId: owner })).toBe(base + 3);
    const row = await t.app.repos.portReservations.get(base + 3);
    expect(row?.project_id).toBe(owner);
    expect(await t.app.ports.release({ projectId: owner })).toBe(1);
    const again = await t.app.ports.reserve({ projectId: await project() });
    expect(again).toBe(base + 3);
    expect(await t.app.ports.release(again)).toBe(1);
  });

  it('keeps a specific port for its project and refuses it to another', async () => {
    const a = await project();
    const b = await project();
    expect(await t.app.ports.reserveSpecific(base + 30, { projectId: a })).toBe(base + 30);
    expect(await t.app.ports.reserveSpecific(base + 30, { projectId: a })).toBe(base + 30);
    await expect(t.app.ports.reserveSpecific(base + 30, { projectId: b })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await t.app.ports.release(base + 30);
  });

  it('hands 20 concurrent reservations 20 distinct free ports', async () => {
    const owners = await Promise.all(Array.from({ length: 20 }, () => project()));
    const ports = await Promise.all(owners.map((projectId) => t.app.ports.reserve({ projectId })));
    expect(new Set(ports).size).toBe(20);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(base + 3);
      expect(p).toBeLessThanOrEqual(base + 39);
    }
    const rows = await t.app.repos.portReservations.list();
    expect(
      rows
        .filter((r) => ports.includes(r.port))
        .map((r) => r.project_id)
        .sort(),
    ).toEqual([...owners].sort());
  });

  it('reports CONFLICT when the range is exhausted', async () => {
    const holders = await Promise.all(Array.from({ length: 20 }, () => project()));
    const got: number[] = [];
    for (const projectId of holders) {
      try {
        got.push(await t.app.ports.reserve({ projectId }));
      } catch (err) {
        expect(err).toMatchObject({
          code: 'CONFLICT',
          message: `no free port in the range ${base}-${base + 39}`,
        });
        return;
      }
    }
    throw new Error(`range never ran out: ${got.join(',')}`);
  });
});
