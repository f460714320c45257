import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { actorContext, readSse, waitForStatus } from '../support/job-helpers.js';
import { createTestJobTypes } from '../support/job-types.fixture.js';
import { capturedLogLines } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const SETTINGS_SECRET = 'ghp_SettingsSecretValue0123456789';
const EXTRA_SECRET = 'handler-added-secret-4711';

describe.each(engines)('secret masking in job logs and responses on %s', (engine) => {
  let t: TestApp;
  let cookie: string;
  const fixture = createTestJobTypes({ settingsSecret: SETTINGS_SECRET, extra: EXTRA_SECRET });

  beforeAll(async () => {
    t = await createTestApp({ engine });
    for (const def of fixture.types) t.app.jobs.register(def);
    await t.app.runner.start();
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    cookie = await t.loginCookie();
    const res = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, 'x-warp-request': '1' },
      payload: { github: { token: SETTINGS_SECRET } },
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('never stores or returns a settings secret or an addSecret value', async () => {
    const job = await t.app.jobs.enqueue(actorContext('alice'), 'test.secrets', {
      note: `input carries ${SETTINGS_SECRET}`,
    });
    const failed = await waitForStatus(t.app, job.id, 'failed');
    expect(failed.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'sh: exited with code 3: failing with ***',
    });

    const stored = await t.app.db.kysely
      .selectFrom('job_logs')
      .selectAll()
      .where('job_id', '=', job.id)
      .execute();
    const storedText = stored.map((r) => r.text).join('\n');
    expect(storedText).toContain('settings secret is ***');
    expect(storedText).toContain('extra secret is ***');
    expect(storedText).toContain('out *** ***');
    expect(storedText).toContain('err ***');
    const row = await t.app.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', job.id)
      .executeTakeFirst();
    const everything = [storedText, JSON.stringify(row)];

    const port = (t.app.http.server.address() as AddressInfo).port;
    const sse = await readSse(
      `http://127.0.0.1:${port}/api/v1/jobs/${job.id}/logs/stream`,
      { cookie },
      () => false,
    );
    everything.push(sse.raw);
    for (const url of [
      `/api/v1/jobs/${job.id}`,
      `/api/v1/jobs/${job.id}/logs`,
      '/api/v1/jobs',
      '/api/v1/audit',
    ]) {
      const res = await t.app.http.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      everything.push(res.body);
    }
    everything.push(capturedLogLines.join(''));
    const body = everything.join('\n');
    expect(body).toContain('input carries ***');
    expect(body).not.toContain(SETTINGS_SECRET);
    expect(body).not.toContain(EXTRA_SECRET);
  });
});
