import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './test-app.js';

/** Credentials a request is sent with. */
export interface Caller {
  name: string;
  headers: Record<string, string>;
  /** Set for cookie callers: the session's hash id is sha256(cookie value). */
  cookieValue?: string;
  tokenId?: string;
}

/** One request of the matrix. `csrf` (default true) adds `X-Warp-Request: 1`. */
export interface RouteCall {
  method: string;
  url: string;
  caller: Caller | null;
  payload?: unknown;
  headers?: Record<string, string>;
  csrf?: boolean;
}

/** What the matrix reads from a response. */
export interface CallResult {
  statusCode: number;
  body: string;
  json(): { error: { code: string } } & Record<string, unknown>;
}

const UUID = '01900000-0000-7000-8000-00000000abcd';

/** A concrete path for a route pattern: a UUID for `:id`, a folder name for `:name`, `x` for `*`. */
export const fillPath = (url: string): string =>
  url
    .replace(/:id\b/g, UUID)
    .replace(/:name\b/g, 'some-repo')
    .replace(/:[A-Za-z]+/g, 'value')
    .replace(/\*$/, 'x');

/**
 * Sessions and API tokens for an admin and an operator, plus a real-HTTP caller (SSE routes never end,
 * so a response counts once its headers arrived).
 */
export async function createCallers(t: TestApp) {
  const { auth } = t.app.services;
  const ctx = { actor: null, requestId: null, ip: '127.0.0.1' };
  await t.app.http.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.http.server.address() as AddressInfo).port;
  // The access settings let these GitHub users in (and keep them in) on every request.
  await t.app.services.settings.update(ctx, {
    access: { adminUsers: ['matrix-admin'], allowedUsers: ['matrix-operator'] },
  });
  const admin = await auth.upsertGithubUser(
    { githubId: '9001', login: 'matrix-admin', name: null, avatarUrl: null },
    'admin',
  );
  const operator = await auth.upsertGithubUser(
    { githubId: '9002', login: 'matrix-operator', name: null, avatarUrl: null },
    'operator',
  );
  const users = { admin, operator };

  async function session(role: 'admin' | 'operator'): Promise<Caller> {
    const s = await auth.createSession(users[role], ctx, null);
    return {
      name: `${role} cookie`,
      headers: { cookie: `warp_session=${s.cookieValue}` },
      cookieValue: s.cookieValue,
    };
  }

  async function bearer(role: 'admin' | 'operator', opts: { expired?: boolean } = {}): Promise<Caller> {
    const u = users[role];
    const actor = { userId: u.id, login: u.login, role: u.role, via: 'token' as const };
    const made = await auth.createApiToken({ ...ctx, actor }, `matrix-${role}`, 1);
    if (opts.expired) {
      await t.app.db.kysely
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', made.id)
        .execute();
    }
    return {
      name: `${role} bearer${opts.expired ? ' (expired)' : ''}`,
      headers: { authorization: `Bearer ${made.token}` },
      tokenId: made.id,
    };
  }

  function call(c: RouteCall): Promise<CallResult> {
    const headers: Record<string, string> = { ...(c.caller?.headers ?? {}), ...(c.headers ?? {}) };
    if (c.csrf ?? true) headers['x-warp-request'] = '1';
    const body = c.payload === undefined ? undefined : Buffer.from(JSON.stringify(c.payload));
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: c.method, path: c.url, headers }, (res) => {
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          req.destroy();
          resolve({ statusCode: res.statusCode ?? 0, body: '', json: () => ({ error: { code: '' } }) });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ statusCode: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    call,
    session,
    bearer,
    /** Move a session's expiry into the past (as if its idle time ran out). */
    async expireSession(c: Caller): Promise<void> {
      const past = new Date(Date.now() - 1000).toISOString();
      const { hashToken } = await import('../../src/lib/tokens.js');
      await t.app.db.kysely
        .updateTable('sessions')
        .set({ idle_expires_at: past })
        .where('id', '=', hashToken(c.cookieValue!))
        .execute();
    },
    adminCookie: await session('admin'),
    adminBearer: await bearer('admin'),
    operatorCookie: await session('operator'),
    operatorBearer: await bearer('operator'),
  };
}
