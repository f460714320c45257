import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_DOCKER_HOST,
} from '../support/docker.js';
import { openSse, type SseEvent } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

interface LogEvent {
  containerId: string;
  containerName: string;
  stream: string;
  ts: string | null;
  text: string;
}

const logsOf = (events: SseEvent[]): LogEvent[] =>
  events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data) as LogEvent);

describe.skipIf(skip)('live multi-container log stream', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let base: string;
  const run = newRunId();

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    t = await createTestApp({ env: { DOCKER_HOST: TEST_DOCKER_HOST } });
    auth = await t.adminBearer();
    await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.http.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (docker) await cleanupDocker(docker, run);
    await t?.close();
  });

  it('picks up a matching container started after the stream opened, and only matching ones', async () => {
    const stream = await openSse(`${base}/api/v1/containers/logs/stream?name=${run}-late&tail=5`, auth);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    // Another container that does not match the filter starts first: its lines must not arrive.
    await createTestContainer(docker, run, {
      name: `${run}-other`,
      cmd: ['sh', '-c', 'echo other-line; sleep 3600'],
    });
    await createTestContainer(docker, run, {
      name: `${run}-late`,
      cmd: ['sh', '-c', 'echo late-out; echo late-err >&2; sleep 3600'],
    });
    const events = logsOf(
      await stream.wait((e) => logsOf(e).filter((x) => x.text.startsWith('late-')).length >= 2),
    );
    stream.close();
    const late = events.filter((e) => e.containerName === `${run}-late`);
    expect(late.map((e) => `${e.stream}:${e.text}`).sort()).toEqual(['stderr:late-err', 'stdout:late-out']);
    expect(late[0]?.ts).toMatch(/^\d{4}-/);
    expect(events.some((e) => e.text === 'other-line')).toBe(false);
  });

  it('filters by project and includes history of already-running containers with tail', async () => {
    const projectId = `proj-${run}`;
    await createTestContainer(docker, run, {
      name: `${run}-proj`,
      cmd: ['sh', '-c', 'echo proj-line; sleep 3600'],
      labels: { 'warp.project': projectId },
    });
    // Wait until the line is in the engine's log before opening with a tail.
    for (let i = 0; i < 50; i++) {
      const body = (await docker.getContainer(`${run}-proj`).logs({ stdout: true })).toString();
      if (body.includes('proj-line')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stream = await openSse(
      `${base}/api/v1/containers/logs/stream?projectId=${projectId}&tail=10`,
      auth,
    );
    const events = logsOf(await stream.wait((e) => logsOf(e).length >= 1));
    stream.close();
    expect(events.map((e) => [e.containerName, e.text])).toEqual([[`${run}-proj`, 'proj-line']]);
  });

  it('rejects unknown query fields and answers 400 for a malformed id filter', async () => {
    const bad = await t.app.http.inject({ url: '/api/v1/containers/logs/stream?id=no%20way', headers: auth });
    expect(bad.statusCode).toBe(400);
    const unknown = await t.app.http.inject({
      url: '/api/v1/containers/logs/stream?follow=1',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(400);
  });
});
