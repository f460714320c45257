import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallers } from '../support/authz-callers.js';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const system = { actor: null, requestId: null, ip: null };

describe.each(engines)('least privilege: access changes take effect at once (%s)', (engine) => {
  let t: TestApp;
  let callers: Awaited<ReturnType<typeof createCallers>>;

  beforeAll(async () => {
    t = await createTestApp({ engine, env: { WARP_BASE_DOMAIN: 'example.test' } });
    callers = await createCallers(t);
  });
  afterAll(async () => t?.close());

  const get = (headers: Record<string, string>, url: string) => t.app.http.inject({ url, headers });
  const setAccess = (access: { allowedUsers?: string[]; adminUsers?: string[]; allowedOrgs?: string[] }) =>
    t.app.services.settings.update(system, { access });

  it('makes a demoted admin an operator from the next request, token and session alike', async () => {
    const token = await callers.bearer('admin');
    const session = await callers.session('admin');
    expect((await get(token.headers, '/api/v1/users')).statusCode).toBe(200);
    await setAccess({ adminUsers: [], allowedUsers: ['matrix-operator', 'MATRIX-ADMIN'] });
    for (const c of [token, session]) {
      expect((await get(c.headers, '/api/v1/users')).statusCode).toBe(403);
      const me = await get(c.headers, '/auth/me');
      expect(me.statusCode).toBe(200);
      expect(me.json().user.role).toBe('operator');
    }
    await setAccess({ adminUsers: ['matrix-admin'], allowedUsers: ['matrix-operator'] });
    expect((await get(token.headers, '/api/v1/users')).statusCode).toBe(200);
  });

  it('ends the sessions and tokens of a user who is no longer allowed, and being listed again does not revive them', async () => {
    const token = await callers.bearer('operator');
    const session = await callers.session('operator');
    expect((await get(token.headers, '/api/v1/projects')).statusCode).toBe(200);
    await setAccess({ allowedUsers: [] });
    expect((await get(token.headers, '/api/v1/projects')).statusCode).toBe(401);
    expect((await get(session.headers, '/api/v1/projects')).statusCode).toBe(401);
    await setAccess({ allowedUsers: ['matrix-operator'] });
    expect((await get(token.headers, '/api/v1/projects')).statusCode).toBe(401);
    expect((await get(session.headers, '/api/v1/projects')).statusCode).toBe(401);
    expect((await get((await callers.bearer('operator')).headers, '/api/v1/projects')).statusCode).toBe(200);
  });

  it('lists users for admins and disables, enables and revokes them', async () => {
    const admin = callers.adminBearer.headers;
    const op = await callers.bearer('operator');
    await callers.session('operator');
    const list = (await get(admin, '/api/v1/users')).json().items as {
      id: string;
      login: string;
      role: string;
      sessions: number;
      tokens: number;
      disabled: boolean;
    }[];
    const row = list.find((u) => u.login === 'matrix-operator');
    expect(row).toMatchObject({ role: 'operator', disabled: false });
    expect(row?.sessions).toBeGreaterThan(0);
    expect(row?.tokens).toBeGreaterThan(0);
    const write = { ...admin, 'content-type': 'application/json' };
    const disabled = await t.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/users/${row?.id}`,
      headers: write,
      payload: { disabled: true },
    });
    expect(disabled.json()).toMatchObject({ disabled: true, sessions: 0, tokens: 0 });
    expect((await get(op.headers, '/api/v1/projects')).statusCode).toBe(401);
    expect((await get((await callers.bearer('operator')).headers, '/api/v1/projects')).statusCode).toBe(401);
    await t.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/users/${row?.id}`,
      headers: write,
      payload: { disabled: false },
    });
    const fresh = await callers.bearer('operator');
    expect((await get(fresh.headers, '/api/v1/projects')).statusCode).toBe(200);
    const revoke = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/users/${row?.id}/revoke`,
      headers: admin,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await get(fresh.headers, '/api/v1/projects')).statusCode).toBe(401);
    // An admin sets a role by hand: it holds until changed by hand again.
    const promoted = await t.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/users/${row?.id}`,
      headers: write,
      payload: { role: 'admin' },
    });
    expect(promoted.json()).toMatchObject({ role: 'admin', roleSource: 'manual' });
    expect((await get((await callers.bearer('operator')).headers, '/api/v1/users')).statusCode).toBe(200);
    await t.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/users/${row?.id}`,
      headers: write,
      payload: { role: 'operator' },
    });
    const audit = (await get(admin, '/api/v1/audit?action=user.update')).json().items;
    expect(audit.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses to disable or demote yourself or the local admin', async () => {
    const me = (await get(callers.adminBearer.headers, '/auth/me')).json().user;
    const res = await t.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/users/${me.id}`,
      headers: { ...callers.adminBearer.headers, 'content-type': 'application/json' },
      payload: { disabled: true },
    });
    expect(res.statusCode).toBe(409);
  });

  it('binds a GitHub identity to its numeric id and compares logins case-insensitively', async () => {
    const { auth } = t.app.services;
    const first = await auth.upsertGithubUser(
      { githubId: '777', login: 'Octo-Cat', name: null, avatarUrl: null },
      'operator',
    );
    const again = await auth.upsertGithubUser(
      { githubId: '777', login: 'octo-cat', name: null, avatarUrl: null },
      'operator',
    );
    expect(again.id).toBe(first.id);
    // A rename keeps the row (and so its tokens); another account with the old login is refused.
    const renamed = await auth.upsertGithubUser(
      { githubId: '777', login: 'octo-renamed', name: null, avatarUrl: null },
      'operator',
    );
    expect(renamed.id).toBe(first.id);
    await expect(
      auth.upsertGithubUser(
        { githubId: '778', login: 'OCTO-RENAMED', name: null, avatarUrl: null },
        'operator',
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await t.app.repos.users.findByLogin('Octo-Renamed'))?.id).toBe(first.id);
  });
});

describe.each(engines)('least privilege: forwards, health, docs and client addresses (%s)', (engine) => {
  let t: TestApp;
  let callers: Awaited<ReturnType<typeof createCallers>>;

  beforeAll(async () => {
    t = await createTestApp({ engine, env: { WARP_BASE_DOMAIN: 'example.test', WARP_PORT: '18080' } });
    callers = await createCallers(t);
  });
  afterAll(async () => t?.close());

  const forward = (headers: Record<string, string>, port: number, subdomain: string) =>
    t.app.http.inject({
      method: 'POST',
      url: '/api/v1/forwards',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: { port, subdomain },
    });

  it('lets operators forward only ports an admin allowed, and nobody the panel, the Docker API or cloudflared metrics', async () => {
    const op = callers.operatorBearer.headers;
    const admin = callers.adminBearer.headers;
    const refused = await forward(op, 3000, 'grafana');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/admin/);
    await t.app.services.settings.update(system, { forwards: { allowedPorts: ['3000-3099'] } });
    expect((await forward(op, 3100, 'outside')).statusCode).toBe(403);
    expect((await forward(op, 3050, 'inside')).statusCode).toBe(202);
    for (const port of [2375, 2376, 18080, 20241]) {
      const res = await forward(admin, port, `p${port}`);
      expect(res.statusCode, String(port)).toBe(403);
    }
    const projects = (await t.app.http.inject({ url: '/api/v1/projects', headers: admin })).json().items;
    expect(projects.map((p: { subdomain: string }) => p.subdomain)).toEqual(['inside']);
  });

  it('answers anonymous health checks with the status only', async () => {
    for (const url of ['/health/docker', '/health/tunnel']) {
      const anon = await t.app.http.inject({ url });
      expect(Object.keys(anon.json())).toEqual(['status']);
      const signed = await t.app.http.inject({ url, headers: callers.adminBearer.headers });
      expect(Object.keys(signed.json()).length).toBeGreaterThan(1);
    }
  });

  it('believes CF-Connecting-IP from loopback, never X-Forwarded-For, for the audit log and the /auth rate limit', async () => {
    const login = (headers: Record<string, string>) =>
      t.app.http.inject({ method: 'POST', url: '/auth/token', headers, payload: { token: 'wpl_nope' } });
    await login({ 'x-forwarded-for': '203.0.113.9' });
    await login({ 'cf-connecting-ip': '198.51.100.7' });
    const audit = (
      await t.app.http.inject({
        url: '/api/v1/audit?action=auth.login',
        headers: callers.adminBearer.headers,
      })
    ).json().items as { ip: string }[];
    const ips = audit.map((a) => a.ip);
    expect(ips).toContain('198.51.100.7');
    expect(ips).not.toContain('203.0.113.9');
    // Rotating X-Forwarded-For does not give a caller a fresh /auth budget.
    let limited = 0;
    for (let i = 0; i < 40; i++) {
      const res = await login({ 'x-forwarded-for': `203.0.113.${i}` });
      if (res.statusCode === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});
