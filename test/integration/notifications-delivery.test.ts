/** The delivery queue: a receiver that is down, metrics thresholds as notifications, grouping of repeats. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { actorContext, waitFor } from '../support/job-helpers.js';
import { type HttpReceiver, startHttpReceiver } from '../support/receivers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const ENV_SECRET = 'env-secret-value-3e9a7c21';

describe.each(engines)('notification delivery on %s', (engine) => {
  let t: TestApp;
  let auth: Record<string, string>;
  let rx: HttpReceiver;
  let projectId: string;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload !== undefined ? { payload } : {}) });
  const create = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/api/v1/notifications/channels', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; config: Record<string, unknown> };
  };
  const at = (path: string) => rx.requests.filter((r) => r.path === path);
  const deliverAll = async () => {
    await t.app.notifications.worker.tick();
  };

  beforeAll(async () => {
    rx = await startHttpReceiver();
    t = await createTestApp({
      engine,
      env: { WARP_BASE_DOMAIN: 'example.test', WARP_PUBLIC_URL: 'https://panel.example.test' },
      app: {
        notifications: {
          retry: { baseDelayMs: 100, maxDelayMs: 400, pollMs: 50 },
          grouping: { windowMs: 60_000, summaryAfterMs: 600 },
        },
      },
    });
    auth = await t.adminBearer();
    // A project with an env value: it must never leave the panel in a message.
    const created = await t.app.services.projects.create(
      actorContext('tester'),
      {
        name: 'shop',
        kind: 'quick',
        subdomain: 'shop',
        image: 'shop:1',
        spec: { env: { API_KEY: ENV_SECRET } },
      },
      { type: 'docker_run', input: {} },
    );
    projectId = created.project.id;
  });

  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  it('queues for a receiver that is down and delivers once it is back, logging every attempt', async () => {
    const late = await startHttpReceiver();
    await late.stop();
    const hook = await create({ name: 'late', type: 'webhook', config: { url: `${late.url}/late` } });
    await t.app.notifications.publish({
      event: 'backup.failed',
      title: 'Backup failed',
      message: 'A backup failed: disk full.',
      projectId: null,
    });
    t.app.notifications.worker.start();
    const failed = await waitFor('two failed attempts', async () => {
      const log = (await api('GET', `/api/v1/notifications/deliveries?channelId=${hook.id}`)).json();
      return log.items.length >= 2 ? log.items : undefined;
    });
    expect(failed[0]).toMatchObject({ ok: false, deliveryStatus: 'pending', event: 'backup.failed' });
    expect(failed[0].message).toMatch(/could not connect/);
    expect(Date.parse(failed[0].nextAttemptAt)).toBeGreaterThan(Date.parse(failed[0].at));

    await late.start();
    await waitFor('the late delivery', () => late.requests.length > 0 || undefined);
    expect(JSON.parse(late.requests[0]!.body)).toMatchObject({ event: 'backup.failed', project: null });
    const log = await waitFor('the delivered attempt', async () => {
      const items = (await api('GET', `/api/v1/notifications/deliveries?channelId=${hook.id}`)).json().items;
      return items[0]?.ok ? items : undefined;
    });
    expect(log[0]).toMatchObject({ ok: true, deliveryStatus: 'delivered', statusCode: 200 });
    expect(log.length).toBeGreaterThanOrEqual(3);
    // Paged: one attempt per page, newest first.
    const page = (await api('GET', `/api/v1/notifications/deliveries?channelId=${hook.id}&limit=1`)).json();
    expect(page.items).toHaveLength(1);
    const next = (
      await api(
        'GET',
        `/api/v1/notifications/deliveries?channelId=${hook.id}&limit=1&cursor=${page.nextCursor}`,
      )
    ).json();
    expect(next.items[0].id < page.items[0].id).toBe(true);
    await t.app.notifications.worker.stop();
    await late.close();
    await api('DELETE', `/api/v1/notifications/channels/${hook.id}`);
  });

  it('turns crossed metrics thresholds (project memory, host disk) into memory.high and disk.high', async () => {
    const hook = await create({
      name: 'alerts',
      type: 'webhook',
      config: { url: `${rx.url}/alerts` },
      events: ['memory.high', 'disk.high'],
    });
    const put = await t.app.http.inject({
      method: 'PUT',
      url: `/api/v1/projects/${projectId}/thresholds`,
      headers: auth,
      payload: { cpu: null, memory: { percent: 75, minutes: 1 } },
    });
    expect(put.statusCode).toBe(200);
    const project = {
      id: projectId,
      name: 'shop',
      hostname: 'shop.example.test',
      status: 'running' as const,
    };
    const batch = (ts: number, mem: number, diskUsed: number) => ({
      ts,
      host: {
        cpu: 5,
        memUsed: 1,
        memTotal: 2,
        load1: 0.1,
        dataDisk: { path: '/var/lib/warp', used: diskUsed, total: 100 },
        dockerDisk: null,
      },
      containers: [
        {
          id: 'f'.repeat(64),
          name: 'shop-web',
          project,
          cpu: 1,
          memUsed: mem,
          memLimit: 1000,
          netRx: 0,
          netTx: 0,
          blkRead: 0,
          blkWrite: 0,
          restarts: 0,
        },
      ],
    });
    const watch = t.app.metrics.thresholdWatch;
    await watch.evaluate(batch(0, 800, 50));
    await watch.evaluate(batch(60_000, 900, 95));
    await waitFor('both alerts', async () => {
      await deliverAll();
      return at('/alerts').length >= 2 || undefined;
    });
    const events = at('/alerts').map((r) => JSON.parse(r.body));
    expect(events.map((e) => e.event).sort()).toEqual(['disk.high', 'memory.high']);
    const memory = events.find((e) => e.event === 'memory.high');
    expect(memory).toMatchObject({
      project: { id: projectId },
      details: { containerName: 'shop-web', percent: 90 },
    });
    expect(memory.message).toMatch(/over 75 % of its limit for 1 min \(now 90\.0 %\)/);
    expect(events.find((e) => e.event === 'disk.high').message).toMatch(
      /95\.0 % full .* over the 90 % threshold/,
    );
    await api('DELETE', `/api/v1/notifications/channels/${hook.id}`);
  });

  it('groups identical events: the first is sent, the repeats go out as one summary', async () => {
    const hook = await create({ name: 'group', type: 'webhook', config: { url: `${rx.url}/group` } });
    const same = {
      event: 'webhook.rejected' as const,
      title: 'Webhook rejected',
      message: 'Webhook rejected: bad signature.',
      projectId,
      groupKey: 'test-group',
    };
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await t.app.notifications.publish(same))?.outcome);
    expect(outcomes).toEqual(['sent', 'grouped', 'grouped', 'grouped', 'grouped', 'grouped']);
    await deliverAll();
    expect(at('/group')).toHaveLength(1);
    await waitFor('the summary', async () => {
      await deliverAll();
      return at('/group').length === 2 || undefined;
    });
    const summary = JSON.parse(at('/group')[1]!.body);
    expect(summary.event).toBe('webhook.rejected');
    expect(summary.details.summary.count).toBe(5);
    expect(summary.title).toBe('Webhook rejected (repeated 5×)');
    // Nothing left to summarise: no third message.
    await new Promise((r) => setTimeout(r, 800));
    await deliverAll();
    expect(at('/group')).toHaveLength(2);
    // The helper other features call (push-to-deploy) uses the same path.
    await t.app.notifications.webhookRejected({
      result: 'rejected',
      reason: 'signature mismatch',
      projectId,
    });
    await deliverAll();
    expect(JSON.parse(at('/group')[2]!.body)).toMatchObject({
      event: 'webhook.rejected',
      details: { result: 'rejected', reason: 'signature mismatch' },
    });
    await api('DELETE', `/api/v1/notifications/channels/${hook.id}`);
  });
});
