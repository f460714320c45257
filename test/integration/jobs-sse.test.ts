import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { actorContext, readSse, type SseEvent, waitForStatus } from '../support/job-helpers.js';
import { createTestJobTypes } from '../support/job-types.fixture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const seqs = (events: SseEvent[]) => events.filter((e) => e.event === 'log').map((e) => Number(e.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(engines)('job log stream (SSE) on %s', (engine) => {
  let t: TestApp;
  let base: string;
  let cookie: string;
  const fixture = createTestJobTypes();

  beforeAll(async () => {
    t = await createTestApp({ engine });
    for (const def of fixture.types) t.app.jobs.register(def);
    await t.app.runner.start();
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.http.server.address() as AddressInfo).port}`;
    cookie = await t.loginCookie();
  });
  afterAll(async () => {
    for (const g of fixture.gates.values()) g.resolve();
    await t.close();
  });

  it('replays, follows live and resumes after Last-Event-ID without duplicates or gaps', async () => {
    // 1 start line + 300 lines before the pause; the rest is written after the client reconnects.
    const job = await t.app.jobs.enqueue(actorContext('alice'), 'test.lines', { count: 600, pauseAt: 301 });
    const url = `${base}/api/v1/jobs/${job.id}/logs/stream`;
    const first = await readSse(url, { cookie }, (e) => e.event === 'log' && Number(e.id) === 150);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(first.headers['x-accel-buffering']).toBe('no');
    expect(first.headers['x-request-id']).toEqual(expect.any(String));
    expect(first.events[0]?.event).toBe('status');
    expect(JSON.parse(first.events[0]!.data)).toMatchObject({ id: job.id, type: 'test.lines' });
    expect(seqs(first.events)).toEqual(range(1, 150));
    const line = JSON.parse(first.events.find((e) => e.id === '2')!.data);
    expect(line).toEqual({ seq: 2, ts: expect.any(String), stream: 'system', text: 'line 1' });

    // Resume: replay 151..301 from the table, then follow live once the job continues.
    expect((await t.app.jobs.get(job.id)).status).toBe('running');
    const second = await readSse(url, { cookie, 'last-event-id': '150' }, (e) => {
      // Let the job go on only once this stream is open, so the rest arrives live.
      if (e.id === '151') fixture.gate(`lines:${job.id}`).resolve();
      return e.event === 'end';
    });
    const got = seqs(second.events);
    const total = await t.app.repos.jobLogs.lastSeq(job.id);
    expect(total).toBe(602); // start line, 600 lines, result line
    expect(got).toEqual(range(151, total));
    const statuses = second.events.filter((e) => e.event === 'status').map((e) => JSON.parse(e.data).status);
    expect(statuses.at(-1)).toBe('succeeded');
    const end = second.events.at(-1)!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data)).toMatchObject({ id: job.id, status: 'succeeded' });
  });

  it('replays a finished job from ?after and ends', async () => {
    const job = await t.app.jobs.enqueue(actorContext('alice'), 'test.lines', { count: 30 });
    await waitForStatus(t.app, job.id, 'succeeded');
    const res = await readSse(`${base}/api/v1/jobs/${job.id}/logs/stream?after=10`, { cookie }, () => false);
    expect(seqs(res.events)).toEqual(range(11, 32));
    expect(res.events.map((e) => e.event)).toEqual(['status', ...range(11, 32).map(() => 'log'), 'end']);
    // Last-Event-ID wins over ?after (it is what EventSource sends on reconnect).
    const both = await readSse(
      `${base}/api/v1/jobs/${job.id}/logs/stream?after=10`,
      { cookie, 'last-event-id': '30' },
      () => false,
    );
    expect(seqs(both.events)).toEqual([31, 32]);
  });

  it('follows a queued job from its first line and ends when it is canceled', async () => {
    const projectId = crypto.randomUUID();
    const ctx = actorContext('alice');
    const blocker = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'sse-blocker' }, { projectId });
    const queued = await t.app.jobs.enqueue(ctx, 'test.lines', { count: 1 }, { projectId });
    await waitForStatus(t.app, blocker.id, 'running');
    const res = await readSse(`${base}/api/v1/jobs/${queued.id}/logs/stream`, { cookie }, (_e, all) => {
      if (all.length === 1) void t.app.jobs.cancel(ctx, queued.id); // the stream is following now
      return false;
    });
    expect(res.events.map((e) => e.event)).toEqual(['status', 'log', 'status', 'end']);
    expect(JSON.parse(res.events[2]!.data).status).toBe('canceled');
    fixture.gate('sse-blocker').resolve();
  });

  it('lets a client that stops reading catch up from the table without gaps or duplicates', async () => {
    const pad = 'x'.repeat(200);
    const job = await t.app.jobs.enqueue(actorContext('alice'), 'test.run', {
      argv: ['seq', '-f', `%g ${pad}`, '1', '45000'],
    });
    const port = new URL(base).port;
    const got = await new Promise<number[]>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: `/api/v1/jobs/${job.id}/logs/stream`, headers: { cookie } },
        (res) => {
          const ids: number[] = [];
          let buffer = '';
          res.setEncoding('utf8');
          res.pause(); // ~11 MB of output: more than the socket buffers hold, so the server must hold back
          setTimeout(() => res.resume(), 1500);
          res.on('data', (chunk: string) => {
            buffer += chunk;
            const blocks = buffer.split('\n\n');
            buffer = blocks.pop() ?? '';
            for (const block of blocks) {
              const id = /^id: (\d+)$/m.exec(block);
              if (id && /^event: log$/m.test(block)) ids.push(Number(id[1]));
              if (/^event: (end|dropped)$/m.test(block)) {
                req.destroy();
                resolve(ids);
              }
            }
          });
        },
      );
      req.on('error', reject);
    });
    const total = await t.app.repos.jobLogs.lastSeq(job.id);
    expect(total).toBeGreaterThan(45_000);
    expect(got).toEqual(range(1, total));
  });

  it('answers 404 before opening a stream for an unknown job, and 401 without a session', async () => {
    const missing = await t.app.http.inject({
      url: `/api/v1/jobs/${crypto.randomUUID()}/logs/stream`,
      headers: { cookie },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const job = (await t.app.jobs.list({ limit: 1 })).items[0]!;
    const anonymous = await t.app.http.inject({ url: `/api/v1/jobs/${job.id}/logs/stream` });
    expect(anonymous.statusCode).toBe(401);
  });
});
