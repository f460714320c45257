import type { Logger } from 'pino';
import type { UserRow } from '../../db/schema.js';
import { conflict, notFound, unauthenticated } from '../../domain/errors.js';
import { type Clock, isoAfter } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Actor, RequestContext } from '../../lib/request-context.js';
import { hashToken, randomToken } from '../../lib/tokens.js';
import type { Repositories } from '../../repositories/index.js';
import type { AuditService } from '../audit/index.js';
import { type AccessLists, admittingOrg, effectiveAccess } from './access-policy.js';

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
  /** The access settings, read on every request (cached by the settings service). */
  accessLists: () => Promise<AccessLists>;
  /**
   * Whether `login` is still an active member of `org` (true/false), or null when GitHub cannot be
   * asked (no App, outage): org admissions are re-checked at most every `ORG_RECHECK_MS`.
   */
  orgMember?: (org: string, login: string) => Promise<boolean | null>;
  /** The setting `auth.sessionMaxHours`: how long activity may keep a session alive (default 24). */
  sessionMaxHours?: () => Promise<number>;
};

/** How often an org admission is confirmed with GitHub while the user keeps using the panel. */
export const ORG_RECHECK_MS = 10 * MINUTE;

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

  /** End every session and API token of a user (access withdrawn, disabled or revoked). */
  async function revokeAll(userId: string): Promise<void> {
    const at = now().toISOString();
    await deps.sessions.revokeAllForUser(userId, at);
    await deps.apiTokens.revokeAllForUser(userId, at);
  }

  /**
   * The user's access right now (see `effectiveAccess`). One who no longer qualifies loses every
   * session and token at once, so being listed again later does not revive them. An org admission
   * is confirmed with GitHub every `ORG_RECHECK_MS`; GitHub being unreachable keeps it.
   */
  async function currentAccess(user: UserRow): Promise<{ role: 'admin' | 'operator' } | null> {
    const lists = await deps.accessLists();
    let access = effectiveAccess(user, lists);
    const org = admittingOrg(user);
    const listed = lists.adminUsers
      .concat(lists.allowedUsers)
      .some((l) => l.toLowerCase() === user.login.toLowerCase());
    if (access && org && !listed && deps.orgMember) {
      const checkedAt = user.access_checked_at ? Date.parse(user.access_checked_at) : 0;
      if (now().getTime() - checkedAt >= ORG_RECHECK_MS) {
        const member = await deps.orgMember(org, user.login).catch(() => null);
        if (member === false) {
          await deps.users.update(user.id, { admitted_via: null, updated_at: now().toISOString() });
          access = null;
        } else if (member === true) {
          await deps.users.update(user.id, { access_checked_at: now().toISOString() });
        }
      }
    }
    if (!access && user.provider === 'github') {
      await revokeAll(user.id);
      deps.log.info({ user: user.login }, 'access withdrawn: sessions and API tokens revoked');
    }
    return access;
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
    revokeAll,
    currentAccess,

    /**
     * Create or update a GitHub user. The identity is the numeric GitHub id (a renamed account keeps
     * its row; a login that now names another account is refused, never taken over — it would inherit
     * that account's tokens). `role` applies unless an admin set the role by hand.
     */
    async upsertGithubUser(
      profile: { githubId: string; login: string; name: string | null; avatarUrl: string | null },
      role: 'admin' | 'operator',
      admittedVia: string | null = null,
    ): Promise<UserRow> {
      const at = now().toISOString();
      const sameAccount = await deps.users.findByGithubId(profile.githubId);
      const byLogin = await deps.users.findByLogin(profile.login);
      if (byLogin && byLogin.id !== sameAccount?.id) {
        throw conflict(`the login ${profile.login} already belongs to another account`);
      }
      if (sameAccount) {
        const patch = {
          login: profile.login,
          name: profile.name,
          avatar_url: profile.avatarUrl,
          ...(sameAccount.role_source === 'manual' ? {} : { role }),
          admitted_via: admittedVia,
          access_checked_at: at,
          updated_at: at,
        };
        await deps.users.update(sameAccount.id, patch);
        return { ...sameAccount, ...patch };
      }
      return deps.users.insert({
        id: newId(),
        login: profile.login,
        name: profile.name,
        avatar_url: profile.avatarUrl,
        role,
        provider: 'github',
        github_id: profile.githubId,
        admitted_via: admittedVia,
        access_checked_at: at,
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
      const access = await currentAccess(user);
      if (!access) return null;
      let expiresAt = session.idle_expires_at;
      if (at.getTime() - Date.parse(session.last_seen_at) >= TOUCH_EVERY_MS) {
        // Activity extends the session up to the configured limit, counted from sign-in.
        const absolute = isoAfter(new Date(session.created_at), await maxMs());
        expiresAt = minIso(isoAfter(at, SESSION_IDLE_MS), absolute);
        await deps.sessions.touch(id, at.toISOString(), expiresAt, absolute);
        if (absolute <= at.toISOString()) return null;
      }
      return {
        actor: { userId: user.id, login: user.login, role: access.role, via: 'session', sessionId: id },
        user: { ...user, role: access.role },
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
      const access = await currentAccess(user);
      if (!access) return null;
      // Like sessions: record the last use at most once a minute, so reads do not all become writes.
      if (!row.last_used_at || Date.parse(at) - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS) {
        await deps.apiTokens.touch(row.id, at);
      }
      return {
        actor: { userId: user.id, login: user.login, role: access.role, via: 'token' },
        user: { ...user, role: access.role },
      };
    },

    /** The signed-in user and, for a cookie session, when it expires (`GET /auth/me`). */
    async me(ctx: RequestContext, sessionCookie: string | undefined) {
      if (!ctx.actor) throw unauthenticated();
      const user = await deps.users.findById(ctx.actor.userId);
      if (!user) throw notFound('user');
      const session =
        ctx.actor.via === 'session' && sessionCookie ? await this.authenticateSession(sessionCookie) : null;
      // The role as judged for this request (settings may have changed it since the row was written).
      return {
        user: { ...toPublicUser(user), role: ctx.actor.role },
        session: { expiresAt: session?.expiresAt ?? null },
      };
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
