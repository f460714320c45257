import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { actorContext, waitForStatus } from '../support/job-helpers.js';
import { createTestJobTypes } from '../support/job-types.fixture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const WRITE = { 'x-warp-request': '1' };

describe.each(engines)('job runner and API on %s', (engine) => {
  let t: TestApp;
  let cookie: string;
  const fixture = createTestJobTypes();
  const ctx = actorContext('alice');

  beforeAll(async () => {
    t = await createTestApp({ engine, env: { WARP_JOB_CONCURRENCY: '4' } });
    for (const def of fixture.types) t.app.jobs.register(def);
    await t.app.runner.start();
    cookie = await t.loginCookie();
  });
  afterAll(async () => {
    for (const g of fixture.gates.values()) g.resolve();
    await t.close();
  });

  it('runs the jobs of one project one at a time, in order, while other projects go ahead', async () => {
    const p = randomUUID();
    const q = randomUUID();
    const a = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'p1' }, { projectId: p });
    const b = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'p2' }, { projectId: p });
    const c = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'p3' }, { projectId: p });
    const other = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'q1' }, { projectId: q });
    await waitForStatus(t.app, a.id, 'running');
    fixture.gate('q1').resolve();
    await waitForStatus(t.app, other.id, 'succeeded');
    // q1 ran to the end while p1 held its project: p2 and p3 are still waiting.
    expect((await t.app.jobs.get(b.id)).status).toBe('queued');
    expect((await t.app.jobs.get(c.id)).status).toBe('queued');
    fixture.gate('p1').resolve();
    await waitForStatus(t.app, b.id, 'running');
    expect((await t.app.jobs.get(c.id)).status).toBe('queued');
    fixture.gate('p2').resolve();
    fixture.gate('p3').resolve();
    const last = await waitForStatus(t.app, c.id, 'succeeded');
    const order = fixture.events.filter((e) => /:p\d$/.test(e));
    expect(order).toEqual(['start:p1', 'end:p1', 'start:p2', 'end:p2', 'start:p3', 'end:p3']);
    const first = await t.app.jobs.get(a.id);
    const second = await t.app.jobs.get(b.id);
    expect(second.startedAt! >= first.finishedAt!).toBe(true);
    expect(last.startedAt! >= second.finishedAt!).toBe(true);
    expect(last.result).toEqual({ key: 'p3' });
  });

  it('runs jobs of different projects at the same time', async () => {
    const jobs = await Promise.all(
      ['x1', 'x2', 'x3'].map((key) =>
        t.app.jobs.enqueue(ctx, 'test.gate', { key }, { projectId: randomUUID() }),
      ),
    );
    // All three are running together before any is released (each waits for its gate).
    await Promise.all(jobs.map((j) => waitForStatus(t.app, j.id, 'running')));
    for (const key of ['x1', 'x2', 'x3']) fixture.gate(key).resolve();
    await Promise.all(jobs.map((j) => waitForStatus(t.app, j.id, 'succeeded')));
  });

  it('validates input with the registered schema and stores nothing for bad input', async () => {
    const before = await t.app.jobs.list({ limit: 200 });
    await expect(t.app.jobs.enqueue(ctx, 'test.gate', { key: 1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'key' }],
    });
    await expect(t.app.jobs.enqueue(ctx, 'test.nope', {})).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await t.app.jobs.list({ limit: 200 })).items.length).toBe(before.items.length);
  });

  it('audits job.create and job.cancel with the actor', async () => {
    const job = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'audit' }, { projectId: randomUUID() });
    await waitForStatus(t.app, job.id, 'running');
    await t.app.jobs.cancel(actorContext('bob'), job.id);
    await waitForStatus(t.app, job.id, 'canceled');
    const entries = (await t.app.services.audit.list({ limit: 200 })).items.filter(
      (e) => e.target === job.id,
    );
    expect(entries.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['job.create', 'alice'],
        ['job.cancel', 'bob'],
      ]),
    );
    expect(entries.find((e) => e.action === 'job.create')?.details).toEqual({ type: 'test.gate' });
  });

  it('cancels a queued job at once and answers 409 for a finished one', async () => {
    const p = randomUUID();
    const blocker = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'blocker' }, { projectId: p });
    const waiting = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'never' }, { projectId: p });
    await waitForStatus(t.app, blocker.id, 'running');
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/jobs/${waiting.id}/cancel`,
      headers: { cookie, ...WRITE },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: waiting.id, status: 'canceled', cancelRequested: true });
    fixture.gate('blocker').resolve();
    await waitForStatus(t.app, blocker.id, 'succeeded');
    expect(fixture.events).not.toContain('start:never');
    const logs = await t.app.http.inject({ url: `/api/v1/jobs/${waiting.id}/logs`, headers: { cookie } });
    expect(logs.json()).toMatchObject({ done: true, lines: [{ seq: 1, stream: 'system' }] });
    expect(logs.json().lines[0].text).toMatch(/canceled before it started/);

    for (const id of [waiting.id, blocker.id]) {
      const again = await t.app.http.inject({
        method: 'POST',
        url: `/api/v1/jobs/${id}/cancel`,
        headers: { cookie, ...WRITE },
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'CONFLICT', requestId: expect.any(String) });
    }
    const missing = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/jobs/${randomUUID()}/cancel`,
      headers: { cookie, ...WRITE },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('records AppError codes as they are and hides other errors behind INTERNAL', async () => {
    const app = await t.app.jobs.enqueue(ctx, 'test.fail', { kind: 'app', message: 'docker said no' });
    const plain = await t.app.jobs.enqueue(ctx, 'test.fail', { kind: 'plain', message: 'at /secret/path x' });
    expect((await waitForStatus(t.app, app.id, 'failed')).error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'docker said no',
    });
    const failed = await waitForStatus(t.app, plain.id, 'failed');
    expect(failed.error?.code).toBe('INTERNAL');
    expect(failed.error?.message).not.toContain('/secret/path');
    const { lines } = await t.app.jobs.logs(plain.id, 0, 100);
    expect(lines.map((l) => l.text).join('\n')).toContain('/secret/path');
  });

  it('lists with filters and cursor paging, and gets and reads logs over HTTP', async () => {
    const p = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await t.app.jobs.enqueue(ctx, 'test.lines', { count: 3 }, { projectId: p })).id);
    }
    await Promise.all(ids.map((id) => waitForStatus(t.app, id, 'succeeded')));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/jobs?projectId=${p}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.app.http.inject({ url, headers: { cookie } });
      expect(page.statusCode).toBe(200);
      const body = page.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((j) => j.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const byStatus = await t.app.http.inject({
      url: `/api/v1/jobs?status=succeeded&type=test.lines&projectId=${p}`,
      headers: { cookie },
    });
    expect(byStatus.json().items).toHaveLength(5);
    const none = await t.app.http.inject({
      url: `/api/v1/jobs?status=failed&projectId=${p}`,
      headers: { cookie },
    });
    expect(none.json()).toEqual({ items: [], nextCursor: null });

    const one = await t.app.http.inject({ url: `/api/v1/jobs/${ids[0]}`, headers: { cookie } });
    expect(one.json()).toMatchObject({
      id: ids[0],
      type: 'test.lines',
      status: 'succeeded',
      projectId: p,
      input: { count: 3 },
      result: { written: 3 },
      error: null,
      actor: 'alice',
      createdAt: expect.any(String),
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    const logs = await t.app.http.inject({ url: `/api/v1/jobs/${ids[0]}/logs?after=1`, headers: { cookie } });
    const body = logs.json() as { lines: { seq: number; text: string }[]; done: boolean };
    expect(body.done).toBe(true);
    expect(body.lines.map((l) => l.seq)).toEqual([2, 3, 4, 5]);
    expect(body.lines.map((l) => l.text).slice(0, 3)).toEqual(['line 1', 'line 2', 'line 3']);
    const paged = await t.app.http.inject({
      url: `/api/v1/jobs/${ids[0]}/logs?after=1&limit=2`,
      headers: { cookie },
    });
    expect(paged.json()).toMatchObject({ done: false, lines: [{ seq: 2 }, { seq: 3 }] });
    expect((await t.app.http.inject({ url: `/api/v1/jobs/${ids[0]}` })).statusCode).toBe(401);
  });

  it('answers 400 for bad query parameters and 404 for unknown jobs', async () => {
    const id = (await t.app.jobs.list({ limit: 1 })).items[0]!.id;
    const bad = [
      '/api/v1/jobs?status=bogus',
      '/api/v1/jobs?cursor=not-a-uuid',
      '/api/v1/jobs?projectId=42',
      '/api/v1/jobs?limit=0',
      '/api/v1/jobs?type=Bad%20Type',
      '/api/v1/jobs?unknown=1',
      `/api/v1/jobs/${id}/logs?after=-1`,
      `/api/v1/jobs/${id}/logs?after=abc`,
      `/api/v1/jobs/${id}/logs?limit=100000`,
      `/api/v1/jobs/${id}/logs?since=1`,
      `/api/v1/jobs/${id}/logs/stream?after=x`,
      '/api/v1/jobs/not-a-uuid',
    ];
    for (const url of bad) {
      const res = await t.app.http.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('VALIDATION_FAILED');
    }
    const badHeader = await t.app.http.inject({
      url: `/api/v1/jobs/${id}/logs/stream`,
      headers: { cookie, 'last-event-id': 'x1' },
    });
    expect(badHeader.statusCode).toBe(400);
    for (const url of [`/api/v1/jobs/${randomUUID()}`, `/api/v1/jobs/${randomUUID()}/logs`]) {
      expect((await t.app.http.inject({ url, headers: { cookie } })).statusCode).toBe(404);
    }
  });

  it('caps a job log at 50k lines with a note and truncates very long lines', async () => {
    const job = await t.app.jobs.enqueue(ctx, 'test.run', {
      argv: ['sh', '-c', 'head -c 20000 /dev/zero | tr "\\0" a; echo; seq 1 60000'],
    });
    const done = await waitForStatus(t.app, job.id, 'succeeded');
    expect(done.result).toMatchObject({ code: 0 });
    const last = await t.app.repos.jobLogs.lastSeq(job.id);
    expect(last).toBe(50_001);
    const tail = await t.app.jobs.logs(job.id, 49_999, 10);
    expect(tail.lines.map((l) => l.seq)).toEqual([50_000, 50_001]);
    expect(tail.lines[1]?.text).toMatch(/log limit of 50000 lines reached/);
    const head = await t.app.jobs.logs(job.id, 0, 10);
    const long = head.lines.find((l) => l.text.startsWith('aaaa'));
    expect(long?.text.length).toBeLessThan(9000);
    expect(long?.text).toMatch(/\[line truncated: 11808 more characters\]$/);
  });

  it('streams program output with split lines, \\r progress and the last stderr lines on failure', async () => {
    const job = await t.app.jobs.enqueue(ctx, 'test.run', {
      argv: [
        'sh',
        '-c',
        'printf "part"; sleep 0.05; printf "ial\\n"; printf "10%%\\r50%%\\r100%%\\n"; printf "crlf\\r\\n"; echo oops >&2; echo "bad thing" >&2; exit 4',
      ],
    });
    const failed = await waitForStatus(t.app, job.id, 'failed');
    expect(failed.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'sh: exited with code 4: oops\nbad thing',
    });
    const { lines } = await t.app.jobs.logs(job.id, 0, 100);
    const out = lines.filter((l) => l.stream !== 'system').map((l) => `${l.stream}:${l.text}`);
    expect(out).toEqual(['stdout:partial', 'stdout:100%', 'stdout:crlf', 'stderr:oops', 'stderr:bad thing']);
    const system = lines.filter((l) => l.stream === 'system').map((l) => l.text);
    expect(system[0]).toBe('Job test.run started');
    expect(system).toContain('▶ Running the program');
    expect(
      system.some((l) => /^✗ Running the program failed after \d+\.\d s: sh: exited with code 4/.test(l)),
    ).toBe(true);
    expect(system.at(-1)).toMatch(/^Job failed after/);
  });

  it('kills a program that runs past its timeout', async () => {
    const job = await t.app.jobs.enqueue(ctx, 'test.run', { argv: ['sleep', '30'], timeoutMs: 200 });
    const failed = await waitForStatus(t.app, job.id, 'failed');
    expect(failed.error).toEqual({ code: 'UPSTREAM_ERROR', message: 'sleep: timed out after 200 ms' });
  });

  it('gives children a minimal environment and no stdin', async () => {
    const job = await t.app.jobs.enqueue(ctx, 'test.run', {
      argv: ['sh', '-c', 'env | sort; cat; echo eof'],
    });
    await waitForStatus(t.app, job.id, 'succeeded');
    const { lines } = await t.app.jobs.logs(job.id, 0, 100);
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    const names = out.filter((l) => l.includes('=')).map((l) => l.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['HOME', 'LANG', 'PATH']));
    expect(names.filter((n) => !['HOME', 'LANG', 'PATH', 'PWD', 'SHLVL', '_'].includes(n!))).toEqual([]);
    expect(out.at(-1)).toBe('eof');
  });
});
