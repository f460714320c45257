/**
 * Authorization matrix, generated from the live route table (`app.routes`). Every route must have an
 * entry in EXPECTED: adding a route without deciding who may call it fails this suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/http/server.js';
import { type Caller, createCallers, fillPath, type RouteCall } from '../support/authz-callers.js';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * `hook`: public at the session level (sessions and API tokens are not even read), authenticated by the
 * route itself — a GitHub signature or the project's deploy-hook token.
 */
type Level = 'public' | 'user' | 'admin' | 'hook';

/** The decision for every route: who may call it. Keep sorted by area. */
const EXPECTED: Record<string, Level> = {
  'GET /healthz': 'public',
  'GET /health/docker': 'public',
  'GET /health/tunnel': 'public',
  'GET /api/openapi.json': 'user',
  'GET /api/docs': 'user',
  'GET /api/docs/static/index.html': 'user',
  'GET /api/docs/static/swagger-initializer.js': 'user',
  'GET /api/docs/json': 'user',
  'GET /api/docs/yaml': 'user',
  'GET /api/docs/static/*': 'user',
  'GET /*': 'public',
  'GET /assets/*': 'public',
  'POST /auth/token': 'public',
  'GET /auth/login': 'public',
  'GET /auth/callback': 'public',
  'GET /auth/me': 'user',
  'POST /auth/logout': 'user',
  'GET /auth/methods': 'public',
  'GET /auth/passkeys': 'admin',
  'POST /auth/passkeys/register/options': 'admin',
  'POST /auth/passkeys/register': 'admin',
  'DELETE /auth/passkeys/:id': 'admin',
  'POST /auth/passkeys/login/options': 'public',
  'POST /auth/passkeys/login': 'public',
  'PUT /auth/password': 'admin',
  'DELETE /auth/password': 'admin',
  'POST /auth/password/login': 'public',
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/:id': 'admin',
  'GET /api/v1/users': 'admin',
  'PATCH /api/v1/users/:id': 'admin',
  'POST /api/v1/users/:id/revoke': 'admin',
  'GET /api/v1/settings': 'user',
  'PATCH /api/v1/settings': 'admin',
  'POST /api/v1/registries/:host/check': 'admin',
  'GET /api/v1/templates': 'user',
  'GET /api/v1/github/app/check': 'admin',
  'GET /api/v1/onboarding': 'user',
  'PATCH /api/v1/onboarding': 'user',
  'GET /api/v1/audit': 'user',
  'GET /api/v1/jobs': 'user',
  'GET /api/v1/jobs/:id': 'user',
  'GET /api/v1/jobs/:id/logs': 'user',
  'GET /api/v1/jobs/:id/logs/stream': 'user',
  'POST /api/v1/jobs/:id/cancel': 'user',
  'GET /api/v1/containers': 'user',
  'GET /api/v1/containers/logs/stream': 'user',
  'POST /api/v1/containers/:id/stop': 'user',
  'POST /api/v1/containers/:id/restart': 'user',
  'DELETE /api/v1/containers/:id': 'user',
  'GET /api/v1/containers/:id/logs': 'user',
  'GET /api/v1/containers/:id/stats': 'user',
  'GET /api/v1/system/docker': 'user',
  'GET /api/v1/system/host': 'user',
  'GET /api/v1/tunnel': 'user',
  'GET /api/v1/tunnel/config': 'user',
  'GET /api/v1/projects': 'user',
  'GET /api/v1/projects/:id': 'user',
  'GET /api/v1/projects/:id/plan': 'user',
  'POST /api/v1/projects/quick-service': 'user',
  'POST /api/v1/projects/deploy-existing': 'user',
  'POST /api/v1/projects/from-template': 'user',
  'POST /api/v1/projects/:id/redeploy': 'user',
  'PATCH /api/v1/projects/:id': 'user',
  'POST /api/v1/projects/:id/stop': 'user',
  'POST /api/v1/projects/:id/start': 'user',
  'POST /api/v1/projects/:id/restart': 'user',
  'DELETE /api/v1/projects/:id': 'user',
  'GET /api/v1/projects/:id/policy': 'user',
  'PUT /api/v1/projects/:id/policy': 'admin',
  'POST /api/v1/forwards': 'user',
  'GET /api/v1/host/repos': 'user',
  'POST /api/v1/host/repos/:name/stop': 'user',
  'POST /api/v1/host/repos/:name/restart': 'user',
  'GET /api/v1/projects/:id/backup-policy': 'user',
  'PUT /api/v1/projects/:id/backup-policy': 'admin',
  'POST /api/v1/projects/:id/backups': 'user',
  'GET /api/v1/projects/:id/backups': 'user',
  'POST /api/v1/projects/:id/backups/verify': 'user',
  'POST /api/v1/projects/:id/backups/:bid/restore': 'user',
  'GET /api/v1/backups/status': 'user',
  'GET /api/v1/notifications/channels': 'admin',
  'POST /api/v1/notifications/channels': 'admin',
  'GET /api/v1/notifications/channels/:id': 'admin',
  'PATCH /api/v1/notifications/channels/:id': 'admin',
  'DELETE /api/v1/notifications/channels/:id': 'admin',
  'POST /api/v1/notifications/channels/:id/test': 'admin',
  'GET /api/v1/notifications/deliveries': 'admin',
  'GET /api/v1/metrics': 'user',
  'GET /api/v1/projects/:id/thresholds': 'user',
  'PUT /api/v1/projects/:id/thresholds': 'user',
  'POST /hooks/github': 'hook',
  'POST /hooks/deploy/:projectId': 'hook',
  'GET /api/v1/projects/:id/deliveries': 'user',
  'GET /api/v1/deliveries': 'user',
  'POST /api/v1/projects/:id/deploy-hook': 'user',
  'GET /api/v1/projects/:id/releases': 'user',
  'POST /api/v1/projects/:id/releases/:rid/rollback': 'user',
  'GET /api/v1/nodes': 'user',
  'POST /api/v1/nodes/:id/drain': 'admin',
  'POST /api/v1/nodes/:id/activate': 'admin',
  'GET /api/v1/nodes/join': 'admin',
  'GET /api/v1/projects/:id/tasks': 'user',
  'GET /api/v1/projects/:id/service-logs': 'user',
  'GET /api/v1/projects/:id/service-logs/stream': 'user',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const keyOf = (r: RouteInfo) => `${r.method} ${r.url}`;
const engines = await testEngines();

describe.each(engines)('authorization matrix on %s', (engine) => {
  let t: TestApp;
  let callers: Awaited<ReturnType<typeof createCallers>>;
  let routes: RouteInfo[];
  const guarded = () => routes.filter((r) => !['public', 'hook'].includes(EXPECTED[keyOf(r)] ?? ''));
  const ofLevel = (level: Level) => routes.filter((r) => EXPECTED[keyOf(r)] === level);
  const call = (r: RouteInfo, caller: Caller | null, extra: Partial<RouteCall> = {}) =>
    callers.call({ method: r.method, url: fillPath(r.url), caller, ...extra });

  beforeAll(async () => {
    t = await createTestApp({ engine });
    routes = t.app.routes;
    callers = await createCallers(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has an explicit decision for every registered route, and no stale entry', () => {
    const registered = new Set(routes.map(keyOf));
    expect(routes.map(keyOf).filter((k) => !(k in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !registered.has(k))).toEqual([]);
    expect(guarded().length).toBeGreaterThan(30);
  });

  it('answers 401 to every non-public route without credentials (also with a bad body)', async () => {
    for (const r of guarded()) {
      for (const payload of [undefined, { bogus: ['x'] }]) {
        const res = await call(r, null, { payload });
        expect(res.statusCode, `${keyOf(r)} ${res.body}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('answers 401 to a garbage cookie and a garbage or unprefixed bearer token', async () => {
    for (const r of guarded()) {
      const garbage: Record<string, string>[] = [
        { cookie: 'warp_session=not-a-session' },
        { authorization: 'Bearer wp_0000000000000000000000000000000000000000' },
        { authorization: 'Bearer not-even-prefixed' },
      ];
      for (const headers of garbage) {
        const res = await call(r, null, { headers: { ...headers, 'x-warp-request': '1' } });
        expect(res.statusCode, `${keyOf(r)} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
  });

  it('answers 403 FORBIDDEN to an operator on every admin route (cookie and bearer)', async () => {
    expect(ofLevel('admin').length).toBeGreaterThan(3);
    for (const r of ofLevel('admin')) {
      for (const caller of [callers.operatorCookie, callers.operatorBearer]) {
        const res = await call(r, caller, { payload: { name: 'x' } });
        expect(res.statusCode, `${keyOf(r)} as ${caller.name}: ${res.body}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
  });

  it('lets an operator reach every user route and an admin every admin route (never 401/403)', async () => {
    const reach = [
      ...ofLevel('user').map((r) => [r, callers.operatorBearer] as const),
      ...ofLevel('user').map((r) => [r, callers.operatorCookie] as const),
      ...[...ofLevel('user'), ...ofLevel('admin')].map((r) => [r, callers.adminBearer] as const),
    ];
    for (const [r, caller] of reach) {
      if (r.url === '/auth/logout') continue; // would end the caller's session; covered below
      const res = await call(r, caller);
      expect([401, 403], `${keyOf(r)} as ${caller.name}: ${res.statusCode} ${res.body}`).not.toContain(
        res.statusCode,
      );
    }
  });

  it('answers 403 CSRF_FAILED to every cookie write without X-Warp-Request (even with a bad body)', async () => {
    const writes = guarded().filter((r) => WRITES.has(r.method));
    expect(writes.length).toBeGreaterThan(10);
    for (const r of writes) {
      for (const caller of [callers.adminCookie, callers.operatorCookie]) {
        if (EXPECTED[keyOf(r)] === 'admin' && caller === callers.operatorCookie) continue;
        const res = await call(r, caller, { csrf: false, payload: { bogus: 1 } });
        expect(res.statusCode, `${keyOf(r)} as ${caller.name}: ${res.body}`).toBe(403);
        expect(res.json().error.code).toBe('CSRF_FAILED');
      }
    }
    // The same writes with a bearer token need no header.
    const bearer = await call(
      routes.find((r) => keyOf(r) === 'PATCH /api/v1/onboarding')!,
      callers.adminBearer,
      { csrf: false, payload: {} },
    );
    expect(bearer.statusCode).toBe(200);
  });

  it('answers 401 to an expired or revoked session and an expired or revoked API token', async () => {
    const expiredSession = await callers.session('admin');
    const revokedSession = await callers.session('admin');
    const expiredToken = await callers.bearer('admin', { expired: true });
    const revokedToken = await callers.bearer('admin');
    await callers.expireSession(expiredSession);
    const logout = await callers.call({ method: 'POST', url: '/auth/logout', caller: revokedSession });
    expect(logout.statusCode).toBe(204);
    const del = await callers.call({
      method: 'DELETE',
      url: `/api/v1/tokens/${revokedToken.tokenId}`,
      caller: callers.adminBearer,
    });
    expect(del.statusCode).toBe(204);
    for (const r of guarded()) {
      for (const caller of [expiredSession, revokedSession, expiredToken, revokedToken]) {
        const res = await call(r, caller);
        expect(res.statusCode, `${keyOf(r)} as ${caller.name}`).toBe(401);
      }
    }
    // Still valid credentials of the same user keep working: the 401s are about these credentials only.
    expect(
      (await callers.call({ method: 'GET', url: '/auth/me', caller: callers.adminBearer })).statusCode,
    ).toBe(200);
  });

  it('lets no session or API token through a hook route: only its signature or token counts', async () => {
    const hooks = ofLevel('hook');
    expect(hooks.map(keyOf).sort()).toEqual(['POST /hooks/deploy/:projectId', 'POST /hooks/github']);
    for (const r of hooks) {
      for (const caller of [null, callers.adminCookie, callers.adminBearer, callers.operatorBearer]) {
        // With a bad body too: no validation feedback before the signature or token passed.
        for (const payload of [undefined, { bogus: ['x'] }]) {
          const res = await call(r, caller, { payload });
          expect(res.statusCode, `${keyOf(r)} as ${caller?.name ?? 'anonymous'}: ${res.body}`).toBe(401);
          expect(res.json().error.code).toBe('UNAUTHENTICATED');
        }
      }
      // No CSRF header is asked for: GitHub and CI pipelines send none.
      const res = await call(r, callers.adminCookie, { csrf: false });
      expect(res.statusCode, keyOf(r)).toBe(401);
    }
  });

  it('never lets a public route answer 401/403 to an anonymous caller', async () => {
    for (const r of ofLevel('public')) {
      const res = await call(r, null, { payload: r.method === 'POST' ? {} : undefined });
      expect([401, 403], `${keyOf(r)} ${res.statusCode}`).not.toContain(res.statusCode);
    }
  });
});
