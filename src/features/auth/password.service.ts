import type { UserRow } from '../../db/schema.js';
import { preconditionFailed, unauthenticated, validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { UsersRepository } from '../../repositories/users.repository.js';
import type { AuditService } from '../audit/index.js';
import type { IssuedSession } from './auth.service.js';

/** argon2id (`Algorithm.Argon2id` of @node-rs/argon2, a const enum): OWASP's first choice. */
const ARGON2ID = 2;
/** The native argon2 addon, loaded by the first password check (most panels sign in by token or GitHub). */
const argon2 = () => import('@node-rs/argon2');
/** Shortest password accepted: long enough that the rate limit makes guessing hopeless. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * The local admin's optional password (argon2id). The login token stays the recovery path: a
 * forgotten password is replaced after signing in with `warp-panel login-token`.
 */
export function createPasswordService(deps: {
  users: Pick<UsersRepository, 'findById' | 'findByLogin' | 'update'>;
  audit: AuditService;
  clock: Clock;
  createSession(user: UserRow, ctx: RequestContext, userAgent: string | null): Promise<IssuedSession>;
}) {
  // A hash to verify against when the user has none, so a miss takes as long as a wrong password.
  let decoy: Promise<string> | null = null;

  async function localUser(ctx: RequestContext): Promise<UserRow> {
    if (!ctx.actor) throw unauthenticated();
    const user = await deps.users.findById(ctx.actor.userId);
    if (!user) throw unauthenticated();
    if (user.provider !== 'local')
      throw preconditionFailed('a password is for the local admin; GitHub users sign in with GitHub');
    return user;
  }

  return {
    /** Whether the local admin has a password (the sign-in page offers the method then). */
    async isSet(): Promise<boolean> {
      const admin = await deps.users.findByLogin('admin');
      return admin?.provider === 'local' && admin.password_hash !== null;
    },

    /** Set (or change: the current one is needed then) the signed-in local admin's password. */
    async set(
      ctx: RequestContext,
      body: { password: string; currentPassword?: string | undefined },
    ): Promise<void> {
      const user = await localUser(ctx);
      if (body.password.length < MIN_PASSWORD_LENGTH) {
        throw validationError(`use at least ${MIN_PASSWORD_LENGTH} characters`, [
          { path: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` },
        ]);
      }
      if (user.password_hash) {
        const ok =
          body.currentPassword !== undefined &&
          (await (await argon2()).verify(user.password_hash, body.currentPassword));
        if (!ok) {
          throw validationError('the current password is wrong', [
            { path: 'currentPassword', message: 'is not the current password' },
          ]);
        }
      }
      const password_hash = await (await argon2()).hash(body.password, { algorithm: ARGON2ID });
      await deps.users.update(user.id, { password_hash, updated_at: deps.clock.now().toISOString() });
      await deps.audit.record(ctx, 'auth.password.set', { target: user.login });
    },

    /** Remove the password (sign-in by passkey or login token only). */
    async clear(ctx: RequestContext): Promise<void> {
      const user = await localUser(ctx);
      await deps.users.update(user.id, { password_hash: null, updated_at: deps.clock.now().toISOString() });
      await deps.audit.record(ctx, 'auth.password.clear', { target: user.login });
    },

    /** Sign in as the local admin with the password; any miss is the same 401. */
    async login(
      ctx: RequestContext,
      body: { login?: string | undefined; password: string },
      userAgent: string | null,
    ) {
      const user = await deps.users.findByLogin(body.login ?? 'admin');
      const stored = user?.provider === 'local' ? user.password_hash : null;
      const { hash, verify } = await argon2();
      decoy ??= hash(`decoy-${Math.random()}`, { algorithm: ARGON2ID });
      const ok = await verify(stored ?? (await decoy), body.password).catch(() => false);
      if (!user || !stored || !ok) {
        await deps.audit.record(ctx, 'auth.login', { result: 'error', details: { method: 'password' } });
        throw unauthenticated('the login or password is wrong');
      }
      const session = await deps.createSession(user, ctx, userAgent);
      await deps.audit.record(ctx, 'auth.login', {
        actor: user.login,
        target: user.login,
        details: { method: 'password' },
      });
      return session;
    },
  };
}

/** The password service. */
export type PasswordService = ReturnType<typeof createPasswordService>;
