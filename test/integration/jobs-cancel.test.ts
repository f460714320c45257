import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import {
  actorContext,
  isLiving,
  livingGroupMembers,
  waitFor,
  waitForStatus,
} from '../support/job-helpers.js';
import { createTestJobTypes } from '../support/job-types.fixture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();

describe.each(engines)('cancel and shutdown on %s', (engine) => {
  let t: TestApp;
  let bearer: Record<string, string>;
  const fixture = createTestJobTypes();

  beforeAll(async () => {
    t = await createTestApp({ engine });
    for (const def of fixture.types) t.app.jobs.register(def);
    await t.app.runner.start();
    bearer = await t.adminBearer();
  });
  afterAll(async () => {
    for (const g of fixture.gates.values()) g.resolve();
    await t.close();
  });

  /** Start a job whose program forks two sleeps; returns the job and its process group id. */
  async function startTree() {
    const job = await t.app.jobs.enqueue(actorContext('alice'), 'test.run', {
      argv: ['sh', '-c', 'echo $$; sleep 300 & sleep 300; wait'],
    });
    const pgid = await waitFor('the shell to print its pid', async () => {
      const { lines } = await t.app.jobs.logs(job.id, 0, 50);
      const line = lines.find((l) => l.stream === 'stdout');
      return line ? Number(line.text) : undefined;
    });
    // sh and both sleeps are in the group (the first sleep may still be forking).
    await waitFor('sh and two sleeps', () => livingGroupMembers(pgid).length >= 3);
    return { job, pgid };
  }

  it('kills the whole process tree of a running job on cancel', async () => {
    const { job, pgid } = await startTree();
    const members = livingGroupMembers(pgid);
    const res = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/jobs/${job.id}/cancel`,
      headers: bearer,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: job.id, cancelRequested: true });
    const canceled = await waitForStatus(t.app, job.id, 'canceled', 'failed', 'succeeded');
    expect(canceled.status).toBe('canceled');
    expect(canceled.error).toBeNull();
    // By the time the job is canceled every member of the tree is gone (zombies aside).
    expect(livingGroupMembers(pgid)).toEqual([]);
    expect(members.filter(isLiving)).toEqual([]);
    const { lines, done } = await t.app.jobs.logs(job.id, 0, 100);
    expect(done).toBe(true);
    expect(lines.at(-1)?.text).toMatch(/^Job canceled after/);
    const again = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/jobs/${job.id}/cancel`,
      headers: bearer,
    });
    expect(again.statusCode).toBe(409);
  });

  it('lets the next job of the project run after a cancel', async () => {
    const projectId = crypto.randomUUID();
    const ctx = actorContext('alice');
    const first = await t.app.jobs.enqueue(ctx, 'test.gate', { key: 'cancel-first' }, { projectId });
    const second = await t.app.jobs.enqueue(ctx, 'test.lines', { count: 2 }, { projectId });
    await waitForStatus(t.app, first.id, 'running');
    await t.app.jobs.cancel(ctx, first.id);
    await waitForStatus(t.app, first.id, 'canceled');
    await waitForStatus(t.app, second.id, 'succeeded');
  });

  it('stops gracefully: waits for running jobs, then interrupts the rest and kills their trees', async () => {
    const quick = await t.app.jobs.enqueue(actorContext('alice'), 'test.gate', { key: 'quick-at-stop' });
    await waitForStatus(t.app, quick.id, 'running');
    const stopping = t.app.runner.stop({ graceMs: 60_000 });
    fixture.gate('quick-at-stop').resolve(); // the stop waits for it rather than interrupting it
    await stopping;
    expect((await t.app.jobs.get(quick.id)).status).toBe('succeeded');

    await t.app.runner.start();
    const { job, pgid } = await startTree();
    await t.app.runner.stop({ graceMs: 100 }); // sleep 300 outlasts the grace: interrupted
    const interrupted = await t.app.jobs.get(job.id);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.error?.code).toBe('UNAVAILABLE');
    expect(livingGroupMembers(pgid)).toEqual([]);
    // A stopped runner claims nothing until started again.
    const later = await t.app.jobs.enqueue(actorContext('alice'), 'test.lines', { count: 1 });
    expect((await t.app.jobs.get(later.id)).status).toBe('queued');
    await t.app.runner.start();
    await waitForStatus(t.app, later.id, 'succeeded');
  });
});
