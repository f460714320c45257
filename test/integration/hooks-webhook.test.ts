/**
 * Push to deploy without an engine: `POST /hooks/github` (signature first, de-duplication, what pushes
 * do and do not do, the delivery record) and deploy hooks (token shown once, stored hashed, rotation),
 * on SQLite and PostgreSQL. The job runner is not started, so a deploy only queues its job: what was
 * queued, dropped or left alone is read from the jobs table. Real deploys: push-to-deploy.test.ts.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewProject } from '../../src/db/schema.js';
import { newId } from '../../src/lib/ids.js';
import { testEngines } from '../support/databases.js';
import { capturedLogLines } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'whsec-0123456789abcdef';
const PUBLIC_URL = 'http://panel.example.test:8080';
const sha = (c: string) => c.repeat(40).slice(0, 40);
const sign = (body: Buffer | string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A push payload as GitHub sends it (the fields the panel reads, and some it does not). */
const push = (o: { repo?: string; ref?: string; after?: string; deleted?: boolean } = {}) => ({
  ref: o.ref ?? 'refs/heads/main',
  before: sha('1'),
  after: o.after ?? sha('a'),
  deleted: o.deleted ?? false,
  created: false,
  commits: [],
  repository: {
    name: 'shop',
    full_name: o.repo ?? 'acme/shop',
    default_branch: 'main',
    owner: { login: 'acme' },
  },
  // Real pushes differ in more than `after` (timestamps, messages): two pushes never share a body.
  head_commit: { id: o.after ?? sha('a'), message: randomUUID(), timestamp: new Date().toISOString() },
  sender: { login: 'octocat' },
  installation: { id: 777 },
});

describe.each(await testEngines())('push to deploy on %s (no engine)', (engine) => {
  let t: TestApp;
  let auth: Record<string, string>;
  let projectId: string;
  let quickId: string;

  beforeAll(async () => {
    t = await createTestApp({
      engine,
      env: { WARP_BASE_DOMAIN: 'example.test', WARP_PUBLIC_URL: PUBLIC_URL },
    });
    auth = await t.adminBearer();
    const base = (over: Partial<NewProject>): NewProject => {
      const now = new Date().toISOString();
      return {
        id: newId(),
        name: 'shop',
        kind: 'existing',
        subdomain: 'shop',
        hostname: 'shop.example.test',
        host_port: 18901,
        status: 'running',
        repo_owner: 'acme',
        repo_name: 'shop',
        repo_url: null,
        image: null,
        path: 'shop',
        compose_project: 'warp-shop',
        container_names: '[]',
        spec: '{}',
        created_by: 'test',
        created_at: now,
        updated_at: now,
        last_job_id: null,
        ...over,
      };
    };
    const shop = base({});
    const quick = base({
      name: 'draw',
      kind: 'quick',
      subdomain: 'draw',
      hostname: 'draw.example.test',
      repo_owner: null,
      repo_name: null,
      image: 'warp-test/web:latest',
      path: null,
      compose_project: null,
    });
    await t.app.repos.projects.insert(shop);
    await t.app.repos.projects.insert(quick);
    projectId = shop.id;
    quickId = quick.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const deliver = (
    event: string,
    payload: unknown,
    o: { delivery?: string; signature?: string | null; contentType?: string; raw?: Buffer } = {},
  ) => {
    const body = o.raw ?? Buffer.from(JSON.stringify(payload));
    const headers: Record<string, string> = {
      'content-type': o.contentType ?? 'application/json',
      'x-github-event': event,
      'x-github-delivery': o.delivery ?? randomUUID(),
    };
    const signature = o.signature === undefined ? sign(body) : o.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return t.app.http.inject({ method: 'POST', url: '/hooks/github', headers, payload: body });
  };
  const jobs = async () =>
    (await t.app.db.kysely.selectFrom('jobs').selectAll().orderBy('id').execute()).filter(
      (j) => j.project_id === projectId,
    );
  const deliveries = async (id = projectId) =>
    (await t.app.http.inject({ url: `/api/v1/projects/${id}/deliveries`, headers: auth })).json();

  it('refuses every delivery while no webhook secret is set', async () => {
    const res = await deliver('push', push());
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().error.message).toContain('github.webhookSecret');
    expect(await jobs()).toHaveLength(0);
    expect(capturedLogLines.some((l) => l.includes('webhook.rejected'))).toBe(true);
  });

  it('keeps the webhook secret like the other secrets: encrypted, {set, hint} on read', async () => {
    const res = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { github: { webhookSecret: SECRET } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().github.webhookSecret).toEqual({ set: true, hint: `…${SECRET.slice(-4)}` });
    expect(res.body).not.toContain(SECRET);
    const stored = await t.app.db.kysely
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'github.webhookSecret')
      .executeTakeFirstOrThrow();
    expect(stored.secret).toBe(1);
    expect(stored.value).not.toContain(SECRET);
  });

  it('refuses missing, malformed and wrong signatures (401) and changes nothing', async () => {
    const body = Buffer.from(JSON.stringify(push()));
    const cases: [string | null, string][] = [
      [null, 'missing'],
      ['sha1=0123', 'malformed'],
      [`sha256=${'0'.repeat(64)}`, 'wrong'],
      [sign(body, 'another-secret'), 'wrong'],
      [sign(Buffer.from(JSON.stringify(push({ after: sha('f') })))), 'wrong'], // a signature of another body
    ];
    for (const [signature, word] of cases) {
      const res = await deliver('push', null, { raw: body, signature });
      expect(res.statusCode, `${signature}: ${res.body}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.json().error.message).toContain(word);
    }
    expect(await jobs()).toHaveLength(0);
    const all = (await t.app.http.inject({ url: '/api/v1/deliveries', headers: auth })).json().items;
    expect(all.filter((d: { result: string }) => d.result === 'rejected').length).toBeGreaterThanOrEqual(6);
    expect(all[0]).toMatchObject({ source: 'github', event: 'push', result: 'rejected', projectId: null });
  });

  it('refuses bodies over 25 MB with 413 before reading them as JSON', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 0x20);
    const res = await deliver('push', null, { raw: big, signature: sign(big) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await jobs()).toHaveLength(0);
    const all = (await t.app.http.inject({ url: '/api/v1/deliveries', headers: auth })).json().items;
    expect(all[0]).toMatchObject({ result: 'rejected', reason: expect.stringContaining('25 MB') });
  });

  it('answers ping 200 and unknown events 202 (ignored, recorded with the reason)', async () => {
    const ping = await deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 });
    expect(ping.statusCode, ping.body).toBe(200);
    const other = await deliver('issues', { action: 'opened' });
    expect(other.statusCode, other.body).toBe(202);
    expect(other.json().outcomes[0]).toMatchObject({
      result: 'ignored',
      reason: expect.stringContaining('issues'),
    });
    // Signed but not JSON: 400, recorded, nothing queued.
    const garbage = await deliver('push', null, { raw: Buffer.from('{"ref": ') });
    expect(garbage.statusCode).toBe(400);
    expect(await jobs()).toHaveLength(0);
    const check = await t.app.http.inject({ url: '/api/v1/github/app/check', headers: auth });
    expect(check.json().webhook).toMatchObject({
      secretSet: true,
      url: `${PUBLIC_URL}/hooks/github`,
      lastEvent: 'issues',
      lastDeliveryAt: expect.any(String),
    });
  });

  it('queues a redeploy of exactly the pushed commit; a redelivery is answered 200 and does nothing', async () => {
    const id = randomUUID();
    const res = await deliver('push', push({ after: sha('a') }), { delivery: id });
    expect(res.statusCode, res.body).toBe(200);
    const [outcome] = res.json().outcomes;
    expect(outcome).toMatchObject({ projectId, result: 'deployed', jobId: expect.any(String) });
    const queued = await jobs();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ type: 'redeploy', status: 'queued', actor: 'github:octocat' });
    expect(JSON.parse(queued[0]!.input)).toEqual({ projectId, commit: sha('a'), branch: 'main' });
    const again = await deliver('push', push({ after: sha('a') }), { delivery: id });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true, outcomes: [] });
    expect(await jobs()).toHaveLength(1);
    // The same signed body under a new delivery id (X-GitHub-Delivery is not signed): a replay.
    const body = Buffer.from(JSON.stringify(push({ after: sha('a') })));
    expect((await deliver('push', null, { raw: body })).json().outcomes[0].result).toBe('deployed');
    const replay = await deliver('push', null, { raw: body, delivery: randomUUID() });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ duplicate: true, outcomes: [] });
    expect(await jobs()).toHaveLength(2);
    const all = (await t.app.http.inject({ url: '/api/v1/deliveries', headers: auth })).json().items;
    expect(all[0]).toMatchObject({ result: 'ignored', reason: expect.stringContaining('a replay') });
    const audit = (
      await t.app.http.inject({
        url: `/api/v1/audit?projectId=${projectId}&action=project.redeploy`,
        headers: auth,
      })
    ).json().items;
    expect(
      audit.find((e: { details: { jobId?: string } }) => e.details.jobId === outcome.jobId),
    ).toMatchObject({
      actor: 'github:octocat',
      action: 'project.redeploy',
    });
  });

  it('records but does not deploy other branches, tags, deleted branches, other repos, auto-deploy off', async () => {
    const cases: [unknown, string][] = [
      [push({ ref: 'refs/heads/feature' }), 'push to feature; the project tracks main'],
      [push({ ref: 'refs/tags/v1.0' }), 'tag v1.0'],
      [push({ ref: 'refs/heads/main', after: '0'.repeat(40), deleted: true }), 'branch main was deleted'],
      [push({ repo: 'acme/other' }), 'no project is deployed from acme/other'],
    ];
    for (const [payload, reason] of cases) {
      const res = await deliver('push', payload);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().outcomes[0], JSON.stringify(payload)).toMatchObject({
        result: 'ignored',
        reason: expect.stringContaining(reason),
      });
    }
    await t.app.repos.projects.update(projectId, { auto_deploy: 0 });
    const off = await deliver('push', push({ after: sha('b') }));
    expect(off.json().outcomes[0]).toMatchObject({
      result: 'ignored',
      reason: 'auto-deploy is off for this project',
    });
    await t.app.repos.projects.update(projectId, { auto_deploy: 1, branch: 'release' });
    const main = await deliver('push', push({ after: sha('b') }));
    expect(main.json().outcomes[0].reason).toBe('push to main; the project tracks release');
    expect(await jobs()).toHaveLength(2);
    const list = await deliveries();
    expect(list).toMatchObject({ branch: 'release', autoDeploy: true, deployHook: null });
    expect(list.items[0]).toMatchObject({ event: 'push', ref: 'refs/heads/main', result: 'ignored' });
    await t.app.repos.projects.update(projectId, { branch: null });
  });

  it('keeps one follow-up: a newer push drops older automatic deploys still queued, never a manual one', async () => {
    const first = (await jobs()).at(-1);
    const b = await deliver('push', push({ after: sha('b') }));
    expect(b.json().outcomes[0]).toMatchObject({
      result: 'deployed',
      reason: 'replaces 1 older queued deploy(s)',
    });
    const dropped = await t.app.jobs.get(first!.id);
    expect(dropped.status).toBe('canceled');
    const log = await t.app.jobs.logs(first!.id, 0, 100);
    expect(log.lines.map((l) => l.text).join('\n')).toContain(
      `Dropped before it started: a newer push to main (${sha('b').slice(0, 12)}) deploys instead`,
    );
    // A deploy someone asked for stays; the next push waits behind it and replaces only b.
    const manual = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/redeploy`,
      headers: auth,
    });
    expect(manual.statusCode).toBe(202);
    const c = await deliver('push', push({ after: sha('c') }));
    expect(c.json().outcomes[0]).toMatchObject({ result: 'queued' });
    expect(c.json().outcomes[0].reason).toContain("waits for the project's current deploy");
    const now = await jobs();
    expect(now.map((j) => [j.status, JSON.parse(j.input).commit ?? null])).toEqual([
      ['canceled', sha('a')],
      ['canceled', sha('a')],
      ['canceled', sha('b')],
      ['queued', null],
      ['queued', sha('c')],
    ]);
    const list = (await deliveries()).items;
    const ofB = list.find((d: { commit: string; jobId: string | null }) => d.commit === sha('b') && d.jobId);
    expect(ofB).toMatchObject({ result: 'ignored', reason: expect.stringContaining('superseded') });
  });

  it('takes a form-encoded payload (a repository webhook) when the signature covers it', async () => {
    const form = Buffer.from(
      new URLSearchParams({ payload: JSON.stringify(push({ ref: 'refs/heads/x' })) }).toString(),
    );
    const res = await deliver('push', null, { raw: form, contentType: 'application/x-www-form-urlencoded' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outcomes[0].reason).toContain('push to x');
  });

  describe('deploy hooks', () => {
    let url: string;
    let token: string;
    const call = (headers: Record<string, string>, payload?: unknown, id = projectId) =>
      t.app.http.inject({
        method: 'POST',
        url: `/hooks/deploy/${id}`,
        headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
      });

    it('creates a hook: the token is shown once and stored hashed', async () => {
      const res = await t.app.http.inject({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/deploy-hook`,
        headers: auth,
      });
      expect(res.statusCode, res.body).toBe(201);
      ({ url, token } = res.json());
      expect(url).toBe(`${PUBLIC_URL}/hooks/deploy/${projectId}`);
      expect(token).toMatch(/^wph_[A-Za-z0-9_-]{40,}$/);
      const row = await t.app.db.kysely.selectFrom('deploy_hooks').selectAll().executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(token);
      const list = await deliveries();
      expect(list.deployHook).toMatchObject({ url, lastUsedAt: null });
      expect(JSON.stringify(list)).not.toContain(token);
    });

    it('refuses calls without the token — sessions and API tokens grant nothing there', async () => {
      const before = (await jobs()).length;
      const cookie = await t.loginCookie();
      for (const headers of [
        {},
        auth,
        { cookie, 'x-warp-request': '1' },
        { authorization: 'Bearer wph_not-the-token' },
        { authorization: token }, // no "Bearer"
      ]) {
        const res = await call(headers, { commit: 'not-a-commit' });
        expect(res.statusCode, `${JSON.stringify(headers)}: ${res.body}`).toBe(401);
      }
      expect((await jobs()).length).toBe(before);
      expect((await deliveries()).items[0]).toMatchObject({ source: 'deploy_hook', result: 'rejected' });
    });

    it('deploys with the token (optionally a commit); bad input is 400 and queues nothing', async () => {
      const bearer = { authorization: `Bearer ${token}` };
      const bad = await call(bearer, { commit: 'abc' });
      expect(bad.statusCode).toBe(400);
      const badRef = await call(bearer, { ref: '--upload-pack=x' });
      expect(badRef.statusCode).toBe(400);
      const unknown = await call(bearer, { branch: 'main' });
      expect(unknown.statusCode).toBe(400);
      const res = await call(bearer, { commit: sha('d') });
      expect(res.statusCode, res.body).toBe(202);
      const { job } = res.json();
      expect(job).toMatchObject({ type: 'redeploy', actor: 'deploy-hook', input: { commit: sha('d') } });
      const empty = await call(bearer);
      expect(empty.statusCode, empty.body).toBe(202);
      expect(empty.json().job.input).toEqual({ projectId });
      // The deploy with `d` was automatic: the bodiless call replaced it.
      expect((await t.app.jobs.get(job.id)).status).toBe('canceled');
      const list = await deliveries();
      expect(list.items[0]).toMatchObject({
        source: 'deploy_hook',
        event: 'deploy_hook',
        jobId: empty.json().job.id,
      });
      expect(list.deployHook.lastUsedAt).toEqual(expect.any(String));
      const quickCommit = await call(bearer, { commit: sha('d') }, quickId);
      expect(quickCommit.statusCode).toBe(401); // another project's hook: its own token only
    });

    it('rotates: the old token stops working at once', async () => {
      const res = await t.app.http.inject({
        method: 'POST',
        url: `/api/v1/projects/${projectId}/deploy-hook`,
        headers: auth,
      });
      expect(res.statusCode).toBe(201);
      const next = res.json().token as string;
      expect(next).not.toBe(token);
      expect((await call({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
      expect((await call({ authorization: `Bearer ${next}` })).statusCode).toBe(202);
      const actions = (
        await t.app.http.inject({ url: `/api/v1/audit?projectId=${projectId}`, headers: auth })
      )
        .json()
        .items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining(['project.deploy_hook.create', 'project.deploy_hook.rotate']),
      );
    });

    it('refuses ref or commit for a project not deployed from a repository', async () => {
      const made = await t.app.http.inject({
        method: 'POST',
        url: `/api/v1/projects/${quickId}/deploy-hook`,
        headers: auth,
      });
      const bearer = { authorization: `Bearer ${made.json().token}` };
      const res = await call(bearer, { commit: sha('e') }, quickId);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].path).toBe('commit');
    });

    it('is rate-limited per caller', async () => {
      let limited = 0;
      for (let i = 0; i < 40 && limited === 0; i++) {
        if ((await call({ authorization: 'Bearer wph_wrong' })).statusCode === 429) limited++;
      }
      expect(limited).toBe(1);
    });
  });
});
