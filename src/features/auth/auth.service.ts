import type { Logger } from 'pino';
import type { UserRow } from '../../db/schema.js';
import { conflict, notFound, unauthenticated } from '../../domain/errors.js';
import { type Clock, isoAfter } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Actor, RequestContext } from '../../lib/request-context.js';
import { hashToken, randomToken } from '../../lib/tokens.js';
import type { Repositories } from '../../repositories/index.js';
import type { AuditService } from '../audit/index.js';

const MINUTE = 60_000;
/** Login tokens live 15 minutes. */
export const LOGIN_TOKEN_TTL_MS = 15 * MINUTE;
/** A session ends after 2 h without use or 24 h after login, whichever comes first. */
export const SESSION_IDLE_MS = 120 * MINUTE;
export const SESSION_ABSOLUTE_MS = 24 * 60 * MINUTE;
const minIso = (a: string, b: string): string => (a < b ? a : b);

/** Renew the idle expiry at most this often, so reads do not all become writes. */
const TOUCH_EVERY_MS = MINUTE;

/** The user as the API shows it. */
export interface PublicUser {
  id: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  role: 'admin' | 'operator';
  provider: 'github' | 'local';
}

/** Map a row to the API's User. */
export const toPublicUser = (row: UserRow): PublicUser => ({
  id: row.id,
  login: row.login,
  name: row.name,
  avatarUrl: row.avatar_url,
  role: row.role,
  provider: row.provider,
});

/** A new session: the cookie value goes to the browser, only its hash is stored. */
export interface IssuedSession {
  cookieValue: string;
  expiresAt: string;
  /** The latest the session can live, however active. */
  absoluteExpiresAt: string;
  /** The cookie's lifetime: up to `absoluteExpiresAt`. */
  maxAgeSeconds: number;
  user: PublicUser;
}

type Deps = Pick<Repositories, 'users' | 'sessions' | 'loginTokens' | 'apiTokens'> & {
  audit: AuditService;
  clock: Clock;
  log: Logger;
  /** The setting `auth.sessionMaxHours`: how long activity may keep a session alive (default 24). */
  sessionMaxHours?: () => Promise<number>;
};

/** Login tokens, sessions and API tokens. */
export function createAuthService(deps: Deps) {
  const now = () => deps.clock.now();
  const maxMs = async () => (deps.sessionMaxHours ? await deps.sessionMaxHours() : 24) * 60 * MINUTE;

  async function createSession(
    user: UserRow,
    ctx: RequestContext,
    userAgent: string | null,
  ): Promise<IssuedSession> {
    const cookieValue = randomToken('', 32);
    const at = now();
    const lifetime = await maxMs();
    const absolute = isoAfter(at, lifetime);
    const idle = minIso(isoAfter(at, SESSION_IDLE_MS), absolute);
    await deps.sessions.insert({
      id: hashToken(cookieValue),
      user_id: user.id,
      created_at: at.toISOString(),
      last_seen_at: at.toISOString(),
      idle_expires_at: idle,
      absolute_expires_at: absolute,
      revoked_at: null,
      ip: ctx.ip,
      user_agent: userAgent?.slice(0, 300) ?? null,
    });
    await deps.users.update(user.id, { last_login_at: at.toISOString() });
    return {
      cookieValue,
      expiresAt: idle,
      absoluteExpiresAt: absolute,
      maxAgeSeconds: Math.round(lifetime / 1000),
      user: toPublicUser(user),
    };
  }

  async function localAdmin(): Promise<UserRow> {
    const existing = await deps.users.findByLogin('admin');
    if (existing) return existing;
    const at = now().toISOString();
    return deps.users.insert({
      id: newId(),
      login: 'admin',
      name: 'Local administrator',
      avatar_url: null,
      role: 'admin',
      provider: 'local',
      github_id: null,
      created_at: at,
      updated_at: at,
      last_login_at: null,
      password_hash: null,
    });
  }

  return {
    createSession,

    /**
     * Create or update a GitHub user (matched by login) with `role`. A login held by a local user or
     * by a different GitHub account is refused, never taken over (it would inherit that account's tokens).
     */
    async upsertGithubUser(
      profile: { githubId: string; login: string; name: string | null; avatarUrl: string | null },
      role: 'admin' | 'operator',
    ): Promise<UserRow> {
      const at = now().toISOString();
      const existing = await deps.users.findByLogin(profile.login);
      if (existing) {
        if (existing.provider !== 'github' || existing.github_id !== profile.githubId) {
          throw conflict(`the login ${profile.login} already belongs to another account`);
        }
        const patch = { name: profile.name, avatar_url: profile.avatarUrl, role, updated_at: at };
        await deps.users.update(existing.id, patch);
        return { ...existing, ...patch };
      }
      return deps.users.insert({
        id: newId(),
        login: profile.login,
        name: profile.name,
        avatar_url: profile.avatarUrl,
        role,
        provider: 'github',
        github_id: profile.githubId,
        created_at: at,
        updated_at: at,
        last_login_at: null,
        password_hash: null,
      });
    },

    /** A new single-use login token (plain text returned once, stored hashed). */
    async issueLoginToken(
      origin: 'startup' | 'cli' | 'env',
      preset?: string,
    ): Promise<{ token: string; expiresAt: string }> {
      const token = preset ?? randomToken('wpl_', 24);
      const at = now();
      const expiresAt = isoAfter(at, LOGIN_TOKEN_TTL_MS);
      const tokenHash = hashToken(token);
      if (await deps.loginTokens.findByHash(tokenHash)) return { token, expiresAt };
      await deps.loginTokens.insert({
        id: newId(),
        token_hash: tokenHash,
        origin,
        created_at: at.toISOString(),
        expires_at: expiresAt,
        used_at: null,
      });
      return { token, expiresAt };
    },

    /** Whether any user exists yet (first start prints a login token when none does). */
    hasUsers: async () => (await deps.users.count()) > 0,

    /** Exchange a login token for a local admin session; a used, expired or unknown token → 401. */
    async loginWithToken(
      token: string,
      ctx: RequestContext,
      userAgent: string | null,
    ): Promise<IssuedSession> {
      const consumed = await deps.loginTokens.consume(hashToken(token), now().toISOString());
      if (!consumed) {
        await deps.audit.record(ctx, 'auth.login', { result: 'error', details: { method: 'token' } });
        throw unauthenticated('login token is invalid, expired or already used');
      }
      const user = await localAdmin();
      const session = await createSession(user, ctx, userAgent);
      await deps.audit.record(ctx, 'auth.login', {
        actor: user.login,
        target: user.login,
        details: { method: 'token' },
      });
      return session;
    },

    /** Resolve a session cookie to an actor, renewing its idle expiry. */
    async authenticateSession(
      cookieValue: string,
    ): Promise<{ actor: Actor; user: UserRow; expiresAt: string } | null> {
      const id = hashToken(cookieValue);
      const at = now();
      const session = await deps.sessions.findActive(id, at.toISOString());
      if (!session) return null;
      const user = await deps.users.findById(session.user_id);
      if (!user) return null;
      let expiresAt = session.idle_expires_at;
      if (at.getTime() - Date.parse(session.last_seen_at) >= TOUCH_EVERY_MS) {
        // Activity extends the session up to the configured limit, counted from sign-in.
        const absolute = isoAfter(new Date(session.created_at), await maxMs());
        expiresAt = minIso(isoAfter(at, SESSION_IDLE_MS), absolute);
        await deps.sessions.touch(id, at.toISOString(), expiresAt, absolute);
        if (absolute <= at.toISOString()) return null;
      }
      return {
        actor: { userId: user.id, login: user.login, role: user.role, via: 'session', sessionId: id },
        user,
        expiresAt,
      };
    },

    /** Resolve a bearer API token to an actor. */
    async authenticateBearer(token: string): Promise<{ actor: Actor; user: UserRow } | null> {
      if (!token.startsWith('wp_')) return null;
      const at = now().toISOString();
      const row = await deps.apiTokens.findActiveByHash(hashToken(token), at);
      if (!row) return null;
      const user = await deps.users.findById(row.user_id);
      if (!user) return null;
      // Like sessions: record the last use at most once a minute, so reads do not all become writes.
      if (!row.last_used_at || Date.parse(at) - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS) {
        await deps.apiTokens.touch(row.id, at);
      }
      return { actor: { userId: user.id, login: user.login, role: user.role, via: 'token' }, user };
    },

    /** The signed-in user and, for a cookie session, when it expires (`GET /auth/me`). */
    async me(ctx: RequestContext, sessionCookie: string | undefined) {
      if (!ctx.actor) throw unauthenticated();
      const user = await deps.users.findById(ctx.actor.userId);
      if (!user) throw notFound('user');
      const session =
        ctx.actor.via === 'session' && sessionCookie ? await this.authenticateSession(sessionCookie) : null;
      return { user: toPublicUser(user), session: { expiresAt: session?.expiresAt ?? null } };
    },

    async logout(ctx: RequestContext): Promise<void> {
      const sessionId = ctx.actor?.sessionId;
      if (!sessionId) throw unauthenticated('no session to end');
      await deps.sessions.revoke(sessionId, now().toISOString());
      await deps.audit.record(ctx, 'auth.logout', { target: ctx.actor?.login ?? null });
    },

    async listApiTokens(ctx: RequestContext) {
      const rows = await deps.apiTokens.listAll();
      void ctx;
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        hint: r.hint,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        lastUsedAt: r.last_used_at,
        userId: r.user_id,
      }));
    },

    async createApiToken(ctx: RequestContext, name: string, expiresInDays: number | null) {
      if (!ctx.actor) throw unauthenticated();
      const token = randomToken('wp_', 32);
      const at = now();
      const id = newId();
      const expiresAt = expiresInDays ? isoAfter(at, expiresInDays * 24 * 60 * MINUTE) : null;
      await deps.apiTokens.insert({
        id,
        user_id: ctx.actor.userId,
        name,
        token_hash: hashToken(token),
        hint: token.slice(-4),
        created_at: at.toISOString(),
        expires_at: expiresAt,
        last_used_at: null,
        revoked_at: null,
      });
      await deps.audit.record(ctx, 'token.create', { target: id, details: { name, expiresAt } });
      return { id, token, name, expiresAt };
    },

    async revokeApiToken(ctx: RequestContext, id: string): Promise<void> {
      const revoked = await deps.apiTokens.revoke(id, now().toISOString());
      if (!revoked) throw notFound('API token');
      await deps.audit.record(ctx, 'token.revoke', { target: id });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
