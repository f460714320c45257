import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { UserRow, WebauthnCredentialRow } from '../../db/schema.js';
import { notFound, preconditionFailed, unauthenticated, validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import { randomToken } from '../../lib/tokens.js';
import type { UsersRepository } from '../../repositories/users.repository.js';
import type { WebauthnCredentialsRepository } from '../../repositories/webauthn-credentials.repository.js';
import type { AuditService } from '../audit/index.js';
import type { IssuedSession } from './auth.service.js';
import { createOAuthStateStore } from './oauth-state-store.js';

/** A passkey as the API shows it. */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const toPasskey = (r: WebauthnCredentialRow): Passkey => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/**
 * @simplewebauthn/server with its X.509/ASN.1 stack (a quarter of the server's code, and work done at
 * load), loaded by the first passkey ceremony instead of at every start.
 */
const webauthn = () => import('@simplewebauthn/server');

/** A ceremony may take this long (the browser's own timeout is the same). */
const CEREMONY_MS = 5 * 60_000;

/**
 * Passkeys of the local admin (WebAuthn through @simplewebauthn/server): register while signed in,
 * sign in without a shell. The relying party is the panel's public URL (its hostname is the RP id).
 */
export function createPasskeysService(deps: {
  users: Pick<UsersRepository, 'findById' | 'findByLogin'>;
  credentials: WebauthnCredentialsRepository;
  audit: AuditService;
  clock: Clock;
  publicUrl: string;
  createSession(user: UserRow, ctx: RequestContext, userAgent: string | null): Promise<IssuedSession>;
}) {
  const origin = new URL(deps.publicUrl).origin;
  const rpID = new URL(deps.publicUrl).hostname;
  const registrations = createOAuthStateStore({ ttlMs: CEREMONY_MS, max: 100 });
  const logins = createOAuthStateStore({ ttlMs: CEREMONY_MS, max: 1000 });

  /** The signed-in local user (passkeys belong to the local admin; GitHub users sign in with GitHub). */
  async function localUser(ctx: RequestContext): Promise<UserRow> {
    if (!ctx.actor) throw unauthenticated();
    const user = await deps.users.findById(ctx.actor.userId);
    if (!user) throw unauthenticated();
    if (user.provider !== 'local')
      throw preconditionFailed('passkeys are for the local admin; GitHub users sign in with GitHub');
    return user;
  }

  const transportsOf = (r: WebauthnCredentialRow) => JSON.parse(r.transports) as AuthenticatorTransport[];

  return {
    /** Whether any passkey is registered (the sign-in page offers the method then). */
    any: async () => (await deps.credentials.count()) > 0,

    async list(ctx: RequestContext): Promise<Passkey[]> {
      const user = await localUser(ctx);
      return (await deps.credentials.byUser(user.id)).map(toPasskey);
    },

    /** Step 1 of registering: options for `navigator.credentials.create` (excluding passkeys it has). */
    async registrationOptions(ctx: RequestContext) {
      const user = await localUser(ctx);
      const existing = await deps.credentials.byUser(user.id);
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: 'Warp Panel',
        rpID,
        userName: user.login,
        userDisplayName: user.name ?? user.login,
        userID: new TextEncoder().encode(user.id),
        attestationType: 'none',
        excludeCredentials: existing.map((c) => ({ id: c.id, transports: transportsOf(c) })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      registrations.put(user.id, options.challenge);
      return options;
    },

    /** Step 2: verify the authenticator's answer against the challenge, then store the credential. */
    async register(
      ctx: RequestContext,
      body: { name?: string | undefined; response: unknown },
    ): Promise<Passkey> {
      const user = await localUser(ctx);
      const challenge = registrations.take(user.id);
      if (!challenge)
        throw validationError('start the registration again: its challenge expired or was used');
      const result = await (await webauthn())
        .verifyRegistrationResponse({
          response: body.response as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: false,
        })
        .catch((error: Error) => {
          throw validationError(`the passkey could not be verified: ${error.message}`, [
            { path: 'response', message: 'is not a valid answer to this registration' },
          ]);
        });
      if (!result.verified || !result.registrationInfo) {
        throw validationError('the passkey could not be verified', [
          { path: 'response', message: 'was not verified' },
        ]);
      }
      const { credential } = result.registrationInfo;
      const at = deps.clock.now().toISOString();
      const row: WebauthnCredentialRow = {
        id: credential.id,
        user_id: user.id,
        name: body.name ?? `Passkey added ${at.slice(0, 10)}`,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        created_at: at,
        last_used_at: null,
      };
      await deps.credentials.insert(row);
      await deps.audit.record(ctx, 'auth.passkey.register', { target: row.name, details: { id: row.id } });
      return toPasskey(row);
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      const user = await localUser(ctx);
      if (!(await deps.credentials.delete(id, user.id))) throw notFound('passkey');
      await deps.audit.record(ctx, 'auth.passkey.remove', { target: id });
    },

    /** Sign-in step 1: a challenge (its id comes back with the answer) for `navigator.credentials.get`. */
    async loginOptions() {
      const admin = await deps.users.findByLogin('admin');
      const creds = admin?.provider === 'local' ? await deps.credentials.byUser(admin.id) : [];
      const options = await (await webauthn()).generateAuthenticationOptions({
        rpID,
        allowCredentials: creds.map((c) => ({ id: c.id, transports: transportsOf(c) })),
        userVerification: 'preferred',
      });
      const challengeId = randomToken('', 16);
      logins.put(challengeId, options.challenge);
      return { challengeId, options };
    },

    /** Sign-in step 2: verify the assertion with the stored public key; a session on success, else 401. */
    async login(
      ctx: RequestContext,
      body: { challengeId: string; response: unknown },
      userAgent: string | null,
    ): Promise<IssuedSession> {
      const refuse = async (why: string) => {
        await deps.audit.record(ctx, 'auth.login', { result: 'error', details: { method: 'passkey', why } });
        return unauthenticated('the passkey sign-in failed; start it again');
      };
      const challenge = logins.take(body.challengeId);
      const response = body.response as AuthenticationResponseJSON;
      const stored = typeof response?.id === 'string' ? await deps.credentials.get(response.id) : undefined;
      if (!challenge) throw await refuse('challenge expired or unknown');
      if (!stored) throw await refuse('unknown passkey');
      const result = await (await webauthn())
        .verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: {
            id: stored.id,
            publicKey: new Uint8Array(Buffer.from(stored.public_key, 'base64url')),
            counter: stored.counter,
            transports: transportsOf(stored),
          },
          requireUserVerification: false,
        })
        .catch(() => null);
      if (!result?.verified) throw await refuse('assertion not verified');
      const user = await deps.users.findById(stored.user_id);
      if (!user) throw await refuse('user gone');
      const at = deps.clock.now().toISOString();
      await deps.credentials.used(stored.id, result.authenticationInfo.newCounter, at);
      const session = await deps.createSession(user, ctx, userAgent);
      await deps.audit.record(ctx, 'auth.login', {
        actor: user.login,
        target: user.login,
        details: { method: 'passkey', passkey: stored.name },
      });
      return session;
    },
  };
}

/** The passkeys service. */
export type PasskeysService = ReturnType<typeof createPasskeysService>;
