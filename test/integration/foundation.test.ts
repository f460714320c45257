import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const WRITE = { 'x-warp-request': '1' };

describe.each(engines)('foundation on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ engine });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /healthz and echoes a sane request id', async () => {
    const res = await t.app.http.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: '0.1.0' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const bad = await t.app.http.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'has spaces<script>' },
    });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses a login token exactly once', async () => {
    const { token } = await t.app.services.auth.issueLoginToken('cli');
    const first = await t.app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
    expect(first.statusCode).toBe(200);
    expect(first.json().user).toMatchObject({ login: 'admin', role: 'admin', provider: 'local' });
    const cookie = first.cookies.find((c) => c.name === 'warp_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const again = await t.app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.any(String) });
  });

  it('gives a new session id on every login and revokes on logout', async () => {
    const a = await t.loginCookie();
    const b = await t.loginCookie();
    expect(a).not.toBe(b);
    const me = await t.app.http.inject({ url: '/auth/me', headers: { cookie: a } });
    expect(me.statusCode).toBe(200);
    expect(me.json().session.expiresAt).toEqual(expect.any(String));
    const noCsrf = await t.app.http.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: a } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_FAILED');
    const out = await t.app.http.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie: a, ...WRITE },
    });
    expect(out.statusCode).toBe(204);
    expect((await t.app.http.inject({ url: '/auth/me', headers: { cookie: a } })).statusCode).toBe(401);
    expect((await t.app.http.inject({ url: '/auth/me', headers: { cookie: b } })).statusCode).toBe(200);
  });

  it('rejects unknown body fields and malformed input with the error body, changing nothing', async () => {
    const cookie = await t.loginCookie();
    const before = await t.app.http.inject({ url: '/api/v1/settings', headers: { cookie } });
    const res = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE },
      payload: { baseDomain: 'example.com', bogus: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'bogus' }] });
    const badDomain = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE },
      payload: { baseDomain: 'not a domain', ports: { start: 80 } },
    });
    expect(badDomain.statusCode).toBe(400);
    const paths = badDomain.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['baseDomain', 'ports.start']));
    const after = await t.app.http.inject({ url: '/api/v1/settings', headers: { cookie } });
    expect(after.json()).toEqual(before.json());
    const badJson = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE, 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('round-trips settings with secrets hidden and encrypted at rest', async () => {
    const cookie = await t.loginCookie();
    const secret = 'cf-token-0123456789-abcdef-9f2c';
    const res = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE },
      payload: {
        baseDomain: 'Example.COM',
        cloudflare: { apiToken: secret },
        tunnel: { restart: { mode: 'docker', target: 'cloudflared' } },
        access: { allowedUsers: ['octocat'] },
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.baseDomain).toBe('example.com');
    expect(body.cloudflare.apiToken).toEqual({ set: true, hint: '…9f2c' });
    expect(JSON.stringify(body)).not.toContain(secret);
    const read = await t.app.http.inject({ url: '/api/v1/settings', headers: { cookie } });
    expect(read.json()).toEqual(body);
    if (engine === 'sqlite') {
      for (const file of fs.readdirSync(t.dataDir)) {
        const full = path.join(t.dataDir, file);
        if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes(secret)).toBe(false);
      }
      expect(fs.statSync(path.join(t.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    }
    const cleared = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE },
      payload: { cloudflare: { apiToken: null } },
    });
    expect(cleared.json().cloudflare.apiToken).toEqual({ set: false, hint: null });
    const audit = await t.app.http.inject({
      url: '/api/v1/audit?action=settings.update',
      headers: { cookie },
    });
    const entries = audit.json().items;
    expect(entries[1].details.keys).toEqual(
      expect.arrayContaining(['baseDomain', 'cloudflare.apiToken', 'tunnel.restart']),
    );
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('issues, uses and revokes API tokens (admin only)', async () => {
    const cookie = await t.loginCookie();
    const created = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie, ...WRITE },
      payload: { name: 'ci', expiresInDays: 1 },
    });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^wp_/);
    const bearer = { authorization: `Bearer ${token}` };
    const me = await t.app.http.inject({ url: '/auth/me', headers: bearer });
    expect(me.statusCode).toBe(200);
    expect(me.json().session.expiresAt).toBeNull();
    // Bearer writes need no CSRF header.
    const patch = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/onboarding',
      headers: bearer,
      payload: { steps: { domain: true } },
    });
    expect(patch.statusCode).toBe(200);
    const list = await t.app.http.inject({ url: '/api/v1/tokens', headers: bearer });
    expect(JSON.stringify(list.json())).not.toContain(token);
    const del = await t.app.http.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: { cookie, ...WRITE },
    });
    expect(del.statusCode).toBe(204);
    expect((await t.app.http.inject({ url: '/auth/me', headers: bearer })).statusCode).toBe(401);
    const again = await t.app.http.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: { cookie, ...WRITE },
    });
    expect(again.statusCode).toBe(404);
  });

  it('loses no onboarding change when updates arrive together', async () => {
    const cookie = await t.loginCookie();
    const patch = (payload: Record<string, unknown>) =>
      t.app.http.inject({
        method: 'PATCH',
        url: '/api/v1/onboarding',
        headers: { cookie, ...WRITE },
        payload,
      });
    await Promise.all([
      patch({ steps: { tunnel: true } }),
      patch({ steps: { github: true } }),
      patch({ steps: { access: true } }),
    ]);
    const state = (await t.app.http.inject({ url: '/api/v1/onboarding', headers: { cookie } })).json();
    expect(state.steps).toMatchObject({ tunnel: true, github: true, access: true });
  });

  it('keeps onboarding per user and audits with cursor paging', async () => {
    const cookie = await t.loginCookie();
    const done = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/onboarding',
      headers: { cookie, ...WRITE },
      payload: { completed: true },
    });
    expect(done.json()).toMatchObject({
      completed: true,
      completedAt: expect.any(String),
      steps: { domain: true },
    });
    const page1 = await t.app.http.inject({ url: '/api/v1/audit?limit=2', headers: { cookie } });
    const p1 = page1.json();
    expect(p1.items).toHaveLength(2);
    expect(p1.nextCursor).toEqual(p1.items[1].id);
    const page2 = await t.app.http.inject({
      url: `/api/v1/audit?limit=2&cursor=${p1.nextCursor}`,
      headers: { cookie },
    });
    expect(page2.json().items[0].id < p1.items[1].id).toBe(true);
    const login = await t.app.http.inject({ url: '/api/v1/audit?action=auth.login', headers: { cookie } });
    expect(login.json().items[0]).toMatchObject({
      actor: 'admin',
      result: 'ok',
      requestId: expect.any(String),
    });
  });

  it('serves OpenAPI and a docs page, and API.md errors for unknown routes', async () => {
    // The API description is for signed-in callers unless an admin opens it (api.publicDocs).
    expect((await t.app.http.inject({ url: '/api/openapi.json' })).statusCode).toBe(401);
    expect((await t.app.http.inject({ url: '/api/docs/' })).statusCode).toBe(401);
    const cookie = await t.loginCookie();
    const spec = await t.app.http.inject({ url: '/api/openapi.json', headers: { cookie } });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/settings', '/auth/token']),
    );
    const docs = await t.app.http.inject({ url: '/api/docs/', headers: { cookie } });
    expect(docs.statusCode).toBe(200);
    await t.app.services.settings.update(
      { actor: null, requestId: null, ip: null },
      { api: { publicDocs: true } },
    );
    expect((await t.app.http.inject({ url: '/api/openapi.json' })).statusCode).toBe(200);
    expect((await t.app.http.inject({ url: '/api/docs/' })).statusCode).toBe(200);
    await t.app.services.settings.update(
      { actor: null, requestId: null, ip: null },
      { api: { publicDocs: false } },
    );
    const missing = await t.app.http.inject({ url: '/api/v1/nope', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    expect((await t.app.http.inject({ url: '/api/v1/settings' })).statusCode).toBe(401);
  });
});
