/**
 * Secrets never leave the panel: configure every kind of secret, exercise the API broadly (settings,
 * GitHub sign-in and App tokens, remote tunnel through the Cloudflare API, deploys with secret env,
 * a crashing container that prints its secret, tokens, audit, errors), then scan every API response,
 * every captured log line, every job log/input/result/error row and every file in the data dir.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCloudflareApi } from '../fakes/cloudflare-api.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
import { ensureDeployImages, removeProjectContainers, WEB_IMAGE } from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { ENV_ECHO_IMAGE, ensureFaultImages } from '../support/fault-images.js';
import { waitForJob } from '../support/job-helpers.js';
import { capturedLogLines } from '../support/log-capture.js';
import { fileHaystacks, findLeaks, type Haystack, type Secret } from '../support/secret-scan.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const noDocker = await skipWithoutDocker();
const rand = (prefix: string) => `${prefix}${randomBytes(20).toString('hex')}`;
const IDS = {
  token: rand('cfsecret_'),
  accountId: '0123456789abcdef0123456789abcdef',
  tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef',
  zoneId: 'fedcba9876543210fedcba9876543210',
};

describe('secrets never reach responses, logs, job logs or files', () => {
  let t: TestApp;
  let gh: FakeGithub;
  let cf: Awaited<ReturnType<typeof startFakeCloudflareApi>>;
  const responses: Haystack[] = [];
  const secrets: Secret[] = [];
  const projectIds: string[] = [];
  let bearer: Record<string, string>;

  /** Call the API and keep the response (body and headers) for the scan. */
  async function api(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    opts: { payload?: unknown; headers?: Record<string, string>; allow?: string[] } = {},
  ) {
    const res = await t.app.http.inject({
      method,
      url,
      headers: opts.headers ?? bearer,
      ...(opts.payload === undefined ? {} : { payload: opts.payload as Record<string, unknown> }),
    });
    responses.push({
      where: `${method} ${url} → ${res.statusCode}`,
      text: `${JSON.stringify(res.headers)}\n${res.body}`,
      ...(opts.allow ? { allow: opts.allow } : {}),
    });
    return res;
  }
  const secret = (name: string, value: string) => {
    secrets.push({ name, value });
    return value;
  };

  beforeAll(async () => {
    gh = await startFakeGithub();
    gh.addUser('octocat', 'Octo Cat');
    gh.addRepo({ owner: 'acme', name: 'template-web', isTemplate: true });
    cf = await startFakeCloudflareApi(IDS);
    t = await createTestApp({
      env: {
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_CLOUDFLARE_API_URL: cf.url,
        WARP_PORT_RANGE: '18600-18699',
      },
    });
    if (!noDocker) {
      const docker = await requireDocker();
      await ensureDeployImages(docker);
      await ensureFaultImages(docker);
    }
    t.app.runner.start();
  });
  afterAll(async () => {
    if (!noDocker) await removeProjectContainers(await requireDocker(), projectIds);
    await t?.close();
    await gh?.close();
    await cf?.close();
  });

  it('exercises the API with every kind of secret configured', async () => {
    // Login token (and a wrong one someone tried) → session cookie → API token.
    const { token: loginToken } = await t.app.services.auth.issueLoginToken('cli');
    secret('login token', loginToken);
    const wrong = secret('a wrong login token', rand('wpl_'));
    expect((await api('POST', '/auth/token', { payload: { token: wrong }, headers: {} })).statusCode).toBe(
      401,
    );
    const login = await api('POST', '/auth/token', { payload: { token: loginToken }, headers: {} });
    expect(login.statusCode).toBe(200);
    const cookieValue = login.cookies.find((c) => c.name === 'warp_session')!.value;
    secret('session cookie', cookieValue);
    const cookie = { cookie: `warp_session=${cookieValue}`, 'x-warp-request': '1' };
    responses.at(-1)!.allow = [cookieValue];
    const made = await api('POST', '/api/v1/tokens', { payload: { name: 'scan' }, headers: cookie });
    expect(made.statusCode).toBe(201);
    const apiToken = secret('API token', made.json().token);
    responses.at(-1)!.allow = [apiToken];
    bearer = { authorization: `Bearer ${apiToken}` };

    // Settings secrets, plus invalid patches that carry secrets (the 400 must not echo them).
    const patch = {
      baseDomain: 'example.com',
      tunnel: { mode: 'remote', id: IDS.tunnelId, accountId: IDS.accountId, dnsMode: 'api' },
      cloudflare: { apiToken: secret('cloudflare.apiToken', IDS.token), zoneId: IDS.zoneId },
      github: {
        oauthClientId: gh.state.oauth.clientId,
        oauthClientSecret: secret('github.oauthClientSecret', gh.state.oauth.clientSecret),
        token: secret('github.token', rand('ghp_')),
        appId: gh.state.app.appId,
        installationId: gh.state.app.installationId,
        appPrivateKey: secret('github.appPrivateKey', gh.state.app.privateKeyPem),
        webhookSecret: secret('github.webhookSecret', rand('whsec_')),
      },
      access: { allowedUsers: ['octocat'] },
      templates: { allowlist: ['acme/template-web'] },
    };
    expect((await api('PATCH', '/api/v1/settings', { payload: patch })).statusCode).toBe(200);
    for (const bad of [
      { cloudflare: { apiToken: IDS.token, zoneId: 'not-a-zone' } },
      { github: { appPrivateKey: `${IDS.token}\n${gh.state.app.privateKeyPem.slice(0, 200)}` } },
      { github: { token: 'x'.repeat(20_000) + IDS.token } },
      { github: { oauthClientSecret: gh.state.oauth.clientSecret, bogus: gh.state.oauth.clientSecret } },
    ]) {
      expect((await api('PATCH', '/api/v1/settings', { payload: bad })).statusCode).toBe(400);
    }
    const view = await api('GET', '/api/v1/settings');
    expect(view.json().cloudflare.apiToken.set).toBe(true);
    expect(view.json().github.appPrivateKey.set).toBe(true);
    await api('GET', '/api/v1/settings', { headers: cookie });

    // Webhooks: a signed ping, a wrongly signed push, and the delivery lists.
    const ping = Buffer.from(JSON.stringify({ zen: 'scan', hook_id: 1 }));
    const hmac = createHmac('sha256', patch.github.webhookSecret).update(ping).digest('hex');
    for (const signature of [`sha256=${hmac}`, `sha256=${'0'.repeat(64)}`]) {
      await api('POST', '/hooks/github', {
        headers: {
          'content-type': 'application/json',
          'x-github-event': signature.endsWith(hmac) ? 'ping' : 'push',
          'x-github-delivery': randomBytes(8).toString('hex'),
          'x-hub-signature-256': signature,
        },
        payload: ping,
      });
    }
    expect(responses.at(-1)!.where).toContain('→ 401');
    await api('GET', '/api/v1/deliveries');
    await api('GET', '/api/v1/github/app/check');

    // GitHub: App installation token (templates) and an OAuth sign-in.
    expect((await api('GET', '/api/v1/templates')).statusCode).toBe(200);
    gh.state.authorizeAs = 'octocat';
    const start = await api('GET', '/auth/login', { headers: {} });
    const oauthCookie = start.cookies.find((c) => c.name === 'warp_oauth')!;
    const authorize = await fetch(String(start.headers.location), { redirect: 'manual' });
    const callback = new URL(String(authorize.headers.get('location')));
    const signedIn = await api('GET', `${callback.pathname}${callback.search}`, {
      headers: { cookie: `warp_oauth=${oauthCookie.value}` },
    });
    expect(signedIn.statusCode).toBe(302);
    const ghCookie = signedIn.cookies.find((c) => c.name === 'warp_session')!.value;
    secret('GitHub session cookie', ghCookie);
    responses.at(-1)!.allow = [ghCookie];
    await api('GET', '/auth/me', { headers: { cookie: `warp_session=${ghCookie}` } });

    // Remote tunnel through the Cloudflare API: status, health, then a wrong token (403 upstream).
    await api('GET', '/api/v1/tunnel');
    await api('GET', '/health/tunnel', { headers: {} });
    const wrongCf = secret('a wrong Cloudflare token', rand('cfwrong_'));
    await api('PATCH', '/api/v1/settings', { payload: { cloudflare: { apiToken: wrongCf } } });
    await api('GET', '/api/v1/tunnel');
    await api('GET', '/health/tunnel', { headers: {} });
    await api('PATCH', '/api/v1/settings', { payload: { cloudflare: { apiToken: IDS.token } } });
  });

  it.skipIf(noDocker)(
    'deploys with a secret env value: a good app and one that prints its secret',
    async () => {
      const envValue = secret('quick service env value', rand('envsecret_'));
      const ok = await api('POST', '/api/v1/projects/quick-service', {
        payload: { image: WEB_IMAGE, subdomain: 'scan-ok', env: { SECRET_TOKEN: envValue } },
      });
      expect(ok.statusCode).toBe(202);
      const leaky = await api('POST', '/api/v1/projects/quick-service', {
        payload: { image: ENV_ECHO_IMAGE, subdomain: 'scan-leak', env: { SECRET_TOKEN: envValue } },
      });
      expect(leaky.statusCode).toBe(202);
      projectIds.push(ok.json().project.id, leaky.json().project.id);
      const okJob = await waitForJob(t, bearer, ok.json().job.id);
      const leakJob = await waitForJob(t, bearer, leaky.json().job.id);
      expect(okJob.status).toBe('succeeded');
      expect(leakJob.status).toBe('failed');
      // A deploy hook: its token shown once (allowed in that answer only), then used and guessed.
      const hook = await api('POST', `/api/v1/projects/${ok.json().project.id}/deploy-hook`);
      const hookToken = secret('deploy-hook token', hook.json().token);
      responses.at(-1)!.allow = [hookToken];
      const hookUrl = `/hooks/deploy/${ok.json().project.id}`;
      const viaHook = await api('POST', hookUrl, { headers: { authorization: `Bearer ${hookToken}` } });
      expect(viaHook.statusCode).toBe(202);
      expect((await waitForJob(t, bearer, viaHook.json().job.id)).status).toBe('succeeded');
      await api('POST', hookUrl, { headers: { authorization: `Bearer ${hookToken.slice(0, -2)}xx` } });
      await api('GET', `/api/v1/projects/${ok.json().project.id}/deliveries`);
      // The container did print the value; the job log holds it masked.
      const logs = await api('GET', `/api/v1/jobs/${leakJob.id}/logs`);
      expect(logs.body).toContain('the token is ***');
      // A bad request that carries the value must not echo it either.
      const bad = await api('POST', '/api/v1/projects/quick-service', {
        payload: { image: 'Bad Image', subdomain: 'x_y', env: { 'BAD-NAME': envValue, OK: envValue } },
      });
      expect(bad.statusCode).toBe(400);
    },
  );

  it('finds none of them in responses, logs, job rows or files', async () => {
    // Read every job back, through every reader (list, one, logs, SSE replay), and the audit trail.
    const jobs = (await api('GET', '/api/v1/jobs')).json().items as { id: string }[];
    const base = await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    for (const job of jobs) {
      await api('GET', `/api/v1/jobs/${job.id}`);
      await api('GET', `/api/v1/jobs/${job.id}/logs`);
      // SSE replay over real HTTP (inject waits for hijacked replies differently); a finished job's stream ends.
      const sse = await fetch(`${base}/api/v1/jobs/${job.id}/logs/stream`, {
        headers: bearer,
        signal: AbortSignal.timeout(20_000),
      });
      const text = await sse.text();
      expect(text).toContain('event: end');
      responses.push({ where: `SSE ${job.id}`, text });
    }
    for (const url of [
      '/api/v1/audit',
      '/api/v1/projects',
      '/api/v1/tokens',
      '/api/v1/tunnel/config',
      '/api/openapi.json',
    ])
      await api('GET', url);
    await api('GET', '/api/v1/nope');
    await api('DELETE', '/api/v1/tokens/01900000-0000-7000-8000-00000000abcd');

    // Tokens minted by the fakes during the run are secrets too.
    for (const tok of gh.state.installationTokens) secret('GitHub installation token', tok.token);
    for (const tok of gh.state.userTokens.keys()) secret('GitHub user token', tok);

    const db = t.app.db.kysely;
    const jobRows = await db.selectFrom('jobs').selectAll().execute();
    const logRows = await db.selectFrom('job_logs').selectAll().execute();
    const auditRows = await db.selectFrom('audit_log').selectAll().execute();
    const hookRows = [
      ...(await db.selectFrom('hook_deliveries').selectAll().execute()),
      ...(await db.selectFrom('deploy_hooks').selectAll().execute()),
    ];
    const haystacks: Haystack[] = [
      ...responses,
      ...capturedLogLines.map((text, i) => ({ where: `log line ${i}`, text })),
      ...jobRows.map((j) => ({ where: `job ${j.type} ${j.id}`, text: JSON.stringify(j) })),
      { where: 'job_logs', text: logRows.map((l) => l.text).join('\n') },
      { where: 'audit_log', text: JSON.stringify(auditRows) },
      { where: 'hook_deliveries and deploy_hooks', text: JSON.stringify(hookRows) },
      ...fileHaystacks(t.dataDir),
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(noDocker ? 11 : 13);
    expect(capturedLogLines.length).toBeGreaterThan(50);
    expect(responses.length).toBeGreaterThan(30);
    expect(findLeaks(haystacks, secrets)).toEqual([]);
    process.stdout.write(
      `secrets-scan: ${secrets.length} secrets × ${haystacks.length} haystacks (${responses.length} responses, ${capturedLogLines.length} log lines, ${logRows.length} job log lines, data-dir files): 0 leaks\n`,
    );
  });

  it('would notice a leak (the scan is not vacuous)', () => {
    const key = secrets.find((s) => s.name === 'github.appPrivateKey')!.value;
    const bodyLine = key.split('\n')[3]!;
    const cases: Haystack[] = [
      { where: 'whole', text: `{"token":"${IDS.token}"}` },
      { where: 'no hint', text: `token=${IDS.token.slice(0, -4)}` },
      { where: 'json-escaped key', text: JSON.stringify({ key }) },
      { where: 'one key line', text: `x ${bodyLine} y` },
      { where: 'base64', text: Buffer.from(IDS.token).toString('base64') },
    ];
    expect(findLeaks(cases, secrets)).toHaveLength(cases.length);
    expect(findLeaks([{ where: 'hint only', text: `…${IDS.token.slice(-4)}` }], secrets)).toEqual([]);
  });
});
