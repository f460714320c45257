import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/lib/request-context.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
import { testEngines } from '../support/databases.js';
import { capturedLogLines } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();

describe.each(engines)('GitHub sign-in on %s', (engine) => {
  let gh: FakeGithub;
  let t: TestApp;

  beforeAll(async () => {
    gh = await startFakeGithub();
    for (const login of ['octocat', 'mallory', 'orgie', 'pendy', 'boss']) gh.addUser(login, `${login} name`);
    gh.setMembership('acme', 'orgie', 'active');
    gh.setMembership('acme', 'pendy', 'pending');
    t = await createTestApp({
      engine,
      env: {
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_GITHUB_CLIENT_ID: gh.state.oauth.clientId,
        WARP_GITHUB_CLIENT_SECRET: gh.state.oauth.clientSecret,
        WARP_ALLOWED_USERS: 'octocat',
        WARP_ALLOWED_ORGS: 'acme',
        WARP_ADMIN_USERS: 'Boss',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await gh?.close();
  });
  beforeEach(() => {
    gh.state.nextTokenError = null;
  });

  /** /auth/login → fake authorize page → the callback URL GitHub would send the browser to. */
  async function startSignIn(login: string | null) {
    gh.state.authorizeAs = login;
    const start = await t.app.http.inject({ url: '/auth/login' });
    expect(start.statusCode).toBe(302);
    const oauthCookie = start.cookies.find((c) => c.name === 'warp_oauth');
    expect(oauthCookie).toBeDefined();
    const authorize = await fetch(String(start.headers.location), { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const callback = new URL(String(authorize.headers.get('location')));
    return {
      start,
      oauthCookie: `warp_oauth=${oauthCookie?.value}`,
      callbackPath: `${callback.pathname}${callback.search}`,
    };
  }

  async function signIn(login: string | null) {
    const s = await startSignIn(login);
    const res = await t.app.http.inject({ url: s.callbackPath, headers: { cookie: s.oauthCookie } });
    return { ...s, res };
  }

  const sessionCount = async () =>
    Number(
      (
        await t.app.db.kysely
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('signs an allowed user in end to end with state and PKCE', async () => {
    const { start, res } = await signIn('octocat');
    const location = new URL(String(start.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${gh.webUrl}/login/oauth/authorize`);
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('scope')?.split(' ').sort()).toEqual(['read:org', 'read:user']);
    expect(location.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8080/auth/callback');
    expect(start.cookies.find((c) => c.name === 'warp_oauth')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/auth',
      maxAge: 600,
    });

    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    const session = res.cookies.find((c) => c.name === 'warp_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // The state cookie is cleared on use.
    expect(res.cookies.find((c) => c.name === 'warp_oauth')?.value).toBe('');

    const me = await t.app.http.inject({
      url: '/auth/me',
      headers: { cookie: `warp_session=${session?.value}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({
      login: 'octocat',
      name: 'octocat name',
      provider: 'github',
      role: 'operator',
      avatarUrl: expect.stringContaining('/a/'),
    });
    const audit = await t.app.services.audit.list({ action: 'auth.login', actor: 'octocat', limit: 5 });
    expect(audit.items[0]).toMatchObject({ result: 'ok', details: { method: 'github', role: 'operator' } });
  });

  it('refuses a user outside the allowlist with a 403 page and stores nothing', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await signIn('mallory');
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Access denied');
    expect(res.body).toContain('mallory');
    expect(res.cookies.find((c) => c.name === 'warp_session')).toBeUndefined();
    expect(await t.app.repos.users.findByLogin('mallory')).toBeUndefined();
    expect(await sessionCount()).toBe(sessionsBefore);
    const audit = await t.app.services.audit.list({ action: 'auth.login', limit: 20 });
    expect(audit.items.find((e) => e.target === 'mallory')).toMatchObject({
      result: 'error',
      details: { method: 'github', login: 'mallory' },
    });
  });

  it('admits an active org member as operator and refuses a pending one', async () => {
    const ok = await signIn('orgie');
    expect(ok.res.statusCode).toBe(302);
    expect(await t.app.repos.users.findByLogin('orgie')).toMatchObject({
      role: 'operator',
      provider: 'github',
    });
    const pending = await signIn('pendy');
    expect(pending.res.statusCode).toBe(403);
    expect(await t.app.repos.users.findByLogin('pendy')).toBeUndefined();
  });

  it('gives admin users the admin role and updates the role on each login', async () => {
    expect((await signIn('boss')).res.statusCode).toBe(302);
    const boss = await t.app.repos.users.findByLogin('boss');
    expect(boss).toMatchObject({ role: 'admin', github_id: String(gh.state.users.get('boss')?.id) });
    await t.app.services.settings.update(systemContext, {
      access: { adminUsers: [], allowedUsers: ['octocat', 'boss'] },
    });
    try {
      expect((await signIn('boss')).res.statusCode).toBe(302);
      expect(await t.app.repos.users.findByLogin('boss')).toMatchObject({ id: boss?.id, role: 'operator' });
    } finally {
      await t.app.services.settings.update(systemContext, {
        access: { adminUsers: ['Boss'], allowedUsers: ['octocat'] },
      });
    }
  });

  it('rejects a state that does not match the browser cookie, or no cookie at all', async () => {
    const a = await startSignIn('octocat');
    const b = await startSignIn('octocat');
    const mismatch = await t.app.http.inject({ url: a.callbackPath, headers: { cookie: b.oauthCookie } });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('does not match');
    const noCookie = await t.app.http.inject({ url: b.callbackPath });
    expect(noCookie.statusCode).toBe(400);
    expect(noCookie.cookies.find((c) => c.name === 'warp_session')).toBeUndefined();
  });

  it('refuses a replayed callback', async () => {
    const first = await signIn('octocat');
    expect(first.res.statusCode).toBe(302);
    const replay = await t.app.http.inject({
      url: first.callbackPath,
      headers: { cookie: first.oauthCookie },
    });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already used');
    expect(replay.cookies.find((c) => c.name === 'warp_session')).toBeUndefined();
  });

  it('treats an error answered with HTTP 200 by the token endpoint as a failure', async () => {
    gh.state.nextTokenError = {
      error: 'bad_verification_code',
      error_description: 'The code passed is <incorrect> or expired.',
    };
    const { res } = await signIn('octocat');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('bad_verification_code');
    expect(res.body).toContain('&lt;incorrect&gt;');
    expect(res.body).not.toContain('<incorrect>');
    expect(res.cookies.find((c) => c.name === 'warp_session')).toBeUndefined();

    gh.state.nextTokenError = { error: 'incorrect_client_credentials', error_description: 'wrong secret' };
    const misconfigured = await signIn('octocat');
    expect(misconfigured.res.statusCode).toBe(502);
  });

  it('escapes what GitHub sends back when the user cancels', async () => {
    const s = await startSignIn('octocat');
    const state = new URL(s.callbackPath, 'http://x').searchParams.get('state') ?? '';
    const url = `/auth/callback?state=${state}&error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}`;
    const res = await t.app.http.inject({ url, headers: { cookie: s.oauthCookie } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).not.toContain('<script>');
  });

  it('answers 422 when OAuth is not configured', async () => {
    await t.app.services.settings.update(systemContext, { github: { oauthClientSecret: null } });
    try {
      const res = await t.app.http.inject({ url: '/auth/login' });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('PRECONDITION_FAILED');
    } finally {
      await t.app.services.settings.update(systemContext, {
        github: { oauthClientSecret: gh.state.oauth.clientSecret },
      });
    }
  });

  it('only asks for read:user when no orgs are configured', async () => {
    await t.app.services.settings.update(systemContext, { access: { allowedOrgs: [] } });
    try {
      const start = await t.app.http.inject({ url: '/auth/login' });
      expect(new URL(String(start.headers.location)).searchParams.get('scope')).toBe('read:user');
    } finally {
      await t.app.services.settings.update(systemContext, { access: { allowedOrgs: ['acme'] } });
    }
  });

  it('never writes user tokens or the client secret to the logs', () => {
    expect(gh.state.userTokens.size).toBeGreaterThan(0);
    const logs = capturedLogLines.join('\n');
    for (const token of gh.state.userTokens.keys()) expect(logs).not.toContain(token);
    expect(logs).not.toContain(gh.state.oauth.clientSecret);
  });
});
