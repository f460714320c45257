/** Channels against real receivers on loopback: secrets, send test, every payload type, SMTP. */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { actorContext } from '../support/job-helpers.js';
import {
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from '../support/receivers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const WEBHOOK_SECRET = 'whsec-6d1f0c9e2b7a4e18';
const SLACK_URL_TOKEN = 'T000/B000/slack-token-9f2c77aa';
const NTFY_TOKEN = 'tk_ntfy_5b1e0a9c3d2f7e64';
const SMTP_PASSWORD = 'smtp-pass-1c8e4f2a9b';
const ENV_SECRET = 'env-secret-value-3e9a7c21';

describe.each(engines)('notification channels on %s', (engine) => {
  let t: TestApp;
  let auth: Record<string, string>;
  let rx: HttpReceiver;
  let smtp: SmtpReceiver;
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
    smtp = await startSmtpReceiver({ requireAuth: true });
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
    await smtp.close();
  });

  it('keeps secrets write-only: shown as {set, hint}, encrypted at rest, kept or cleared by PATCH', async () => {
    const hook = await create({
      name: 'ops hook',
      type: 'webhook',
      config: { url: `${rx.url}/plain`, secret: WEBHOOK_SECRET },
      events: ['deploy.failed'],
    });
    expect(hook.config).toEqual({ url: `${rx.url}/plain`, secret: { set: true, hint: '…4e18' } });
    const slack = await create({
      name: 'slack',
      type: 'slack',
      config: { url: `${rx.url}/${SLACK_URL_TOKEN}` },
    });
    expect(slack.config).toEqual({ url: { set: true, hint: '…77aa' } });

    const list = await api('GET', '/api/v1/notifications/channels');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(WEBHOOK_SECRET);
    expect(list.body).not.toContain(SLACK_URL_TOKEN);
    const rows = await t.app.db.kysely.selectFrom('notification_channels').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(WEBHOOK_SECRET);
    expect(JSON.stringify(rows)).not.toContain('slack-token');

    // A rename keeps the secret; a bad URL is refused and changes nothing; null clears the secret.
    const renamed = await api('PATCH', `/api/v1/notifications/channels/${hook.id}`, { name: 'ops' });
    expect(renamed.json().config.secret).toEqual({ set: true, hint: '…4e18' });
    const bad = await api('PATCH', `/api/v1/notifications/channels/${hook.id}`, {
      config: { url: 'ftp://nope' },
      name: 'changed',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('config.url');
    const unchanged = (await api('GET', `/api/v1/notifications/channels/${hook.id}`)).json();
    expect(unchanged).toMatchObject({ name: 'ops', config: { url: `${rx.url}/plain` } });
    const cleared = await api('PATCH', `/api/v1/notifications/channels/${hook.id}`, {
      config: { secret: null },
    });
    expect(cleared.json().config.secret).toEqual({ set: false, hint: null });
    expect(
      (await api('POST', '/api/v1/notifications/channels', { name: 'x', type: 'pager' })).statusCode,
    ).toBe(400);
    for (const id of [hook.id, slack.id]) {
      expect((await api('DELETE', `/api/v1/notifications/channels/${id}`)).statusCode).toBe(204);
    }
    expect((await api('DELETE', `/api/v1/notifications/channels/${hook.id}`)).statusCode).toBe(404);
  });

  it('"send test" reports what the receiver really answered', async () => {
    const hook = await create({
      name: 'test hook',
      type: 'webhook',
      config: { url: `${rx.url}/test`, secret: WEBHOOK_SECRET },
    });
    const ok = await api('POST', `/api/v1/notifications/channels/${hook.id}/test`);
    expect(ok.json()).toMatchObject({ ok: true, statusCode: 200 });
    const [req] = at('/test');
    expect(JSON.parse(req!.body)).toMatchObject({ event: 'test', project: null });
    expect(req!.headers['x-warp-signature']).toBe(
      `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(req!.body).digest('hex')}`,
    );

    rx.setStatus(503);
    const refused = await api('POST', `/api/v1/notifications/channels/${hook.id}/test`);
    expect(refused.json()).toMatchObject({ ok: false, statusCode: 503 });
    expect(refused.json().message).toMatch(/HTTP 503: receiver says no/);
    rx.setStatus(200);

    const gone = await startHttpReceiver();
    await gone.close();
    await api('PATCH', `/api/v1/notifications/channels/${hook.id}`, { config: { url: `${gone.url}/x` } });
    const down = await api('POST', `/api/v1/notifications/channels/${hook.id}/test`);
    expect(down.json()).toMatchObject({ ok: false, statusCode: null });
    expect(down.json().message).toMatch(/could not connect \(ECONNREFUSED\)/);
    await api('DELETE', `/api/v1/notifications/channels/${hook.id}`);
  });

  it('delivers one event as a signed webhook, a Slack text, a Discord content and an ntfy message', async () => {
    const channels = [
      await create({
        name: 'hook',
        type: 'webhook',
        config: { url: `${rx.url}/hook`, secret: WEBHOOK_SECRET },
        events: ['deploy.failed'],
      }),
      await create({ name: 'slack', type: 'slack', config: { url: `${rx.url}/slack/${SLACK_URL_TOKEN}` } }),
      await create({ name: 'discord', type: 'discord', config: { url: `${rx.url}/discord` } }),
      await create({
        name: 'ntfy',
        type: 'ntfy',
        config: { serverUrl: `${rx.url}/ntfy`, topic: 'warp-alerts', token: NTFY_TOKEN },
      }),
      // Subscribed to another event only: gets nothing.
      await create({
        name: 'quiet',
        type: 'webhook',
        config: { url: `${rx.url}/quiet` },
        events: ['tunnel.down'],
      }),
    ];
    const published = await t.app.notifications.publish({
      event: 'deploy.failed',
      title: 'Deploy failed: shop',
      message: 'The docker_run job of shop failed: container exited.',
      projectId,
      details: { jobId: 'job-1' },
      logLines: ['starting', `token is ${ENV_SECRET}`, 'crashed <&> badly'],
      linkPath: '/jobs/job-1',
    });
    expect(published).toEqual({ outcome: 'sent', deliveries: 4 });
    await deliverAll();

    const [hook] = at('/hook');
    const body = JSON.parse(hook!.body);
    expect(body).toMatchObject({
      event: 'deploy.failed',
      message: 'The docker_run job of shop failed: container exited.',
      project: { id: projectId, name: 'shop', hostname: 'shop.example.test' },
      details: { jobId: 'job-1' },
      link: 'https://panel.example.test/jobs/job-1',
      logLines: ['starting', 'token is ***', 'crashed <&> badly'],
    });
    expect(Date.parse(body.at)).toBeGreaterThan(0);
    expect(hook!.headers['x-warp-signature']).toBe(
      `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(hook!.body).digest('hex')}`,
    );
    expect(hook!.headers['content-type']).toBe('application/json');

    const slack = JSON.parse(at(`/slack/${SLACK_URL_TOKEN}`)[0]!.body);
    expect(slack.text).toContain('*Deploy failed: shop*');
    expect(slack.text).toContain('crashed &lt;&amp;&gt; badly');
    expect(slack.text).toContain('<https://panel.example.test/jobs/job-1|Open in Warp Panel>');

    const discord = JSON.parse(at('/discord')[0]!.body);
    expect(discord.content).toMatch(/^\*\*Deploy failed: shop\*\*\nThe docker_run job/);
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    expect(discord.allowed_mentions).toEqual({ parse: [] });

    const [ntfyReq] = at('/ntfy/');
    expect(ntfyReq!.headers.authorization).toBe(`Bearer ${NTFY_TOKEN}`);
    expect(JSON.parse(ntfyReq!.body)).toMatchObject({
      topic: 'warp-alerts',
      title: 'Deploy failed: shop',
      click: 'https://panel.example.test/jobs/job-1',
      tags: ['x'],
      priority: 4,
    });
    expect(at('/quiet')).toEqual([]);
    const everything = rx.requests.map((r) => r.body).join('\n');
    expect(everything).not.toContain(ENV_SECRET);

    // The log has one successful attempt per channel.
    const log = (await api('GET', '/api/v1/notifications/deliveries?limit=50')).json();
    const mine = log.items.filter((a: { channel: { id: string } }) =>
      channels.some((c) => c.id === a.channel.id),
    );
    expect(mine).toHaveLength(4);
    for (const a of mine) expect(a).toMatchObject({ ok: true, attempt: 1, deliveryStatus: 'delivered' });
    for (const c of channels) await api('DELETE', `/api/v1/notifications/channels/${c.id}`);
  });

  it('mails through a real SMTP server (STARTTLS, auth) with subject, headers and body', async () => {
    const mail = await create({
      name: 'mail',
      type: 'email',
      config: {
        host: '127.0.0.1',
        port: smtp.port,
        security: 'starttls',
        verifyCertificate: false,
        username: 'warp',
        password: SMTP_PASSWORD,
        from: 'panel@example.test',
        to: ['ops@example.test', 'oncall@example.test'],
      },
      events: ['container.exited'],
    });
    expect(mail.config.password).toEqual({ set: true, hint: '…2a9b' });
    await t.app.notifications.publish({
      event: 'container.exited',
      title: 'Exited: shop-web (shop)',
      message: 'Container shop-web of shop exited with code 1 and is not running.',
      projectId,
      logLines: ['listening on :80', `fatal: ${ENV_SECRET} rejected`],
    });
    await deliverAll();
    const [m] = smtp.mails;
    expect(m).toMatchObject({
      from: 'panel@example.test',
      to: ['ops@example.test', 'oncall@example.test'],
      auth: { username: 'warp', password: SMTP_PASSWORD },
      secure: true,
    });
    expect(m!.headers.subject).toBe('[Warp Panel] Exited: shop-web (shop)');
    expect(m!.headers.from).toBe('panel@example.test');
    expect(m!.headers.to).toBe('ops@example.test, oncall@example.test');
    expect(m!.headers['x-warp-event']).toBe('container.exited');
    expect(m!.text).toContain('Container shop-web of shop exited with code 1 and is not running.');
    expect(m!.text).toContain('Project: shop (shop.example.test)');
    expect(m!.text).toContain('  fatal: *** rejected');
    expect(m!.text).toContain(`Open in Warp Panel: https://panel.example.test/projects/${projectId}`);
    expect(m!.raw).not.toContain(ENV_SECRET);

    // A wrong port is a failed attempt that says why, then a retry.
    await api('PATCH', `/api/v1/notifications/channels/${mail.id}`, { config: { port: 1 } });
    const test = (await api('POST', `/api/v1/notifications/channels/${mail.id}/test`)).json();
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/SMTP 127\.0\.0\.1:1 failed/);
    expect(test.message).not.toContain(SMTP_PASSWORD);
    await api('DELETE', `/api/v1/notifications/channels/${mail.id}`);
  });
});
