import { z } from 'zod';
import type { PasskeysService, PasswordService } from '../../features/auth/index.js';
import { contextOf } from '../plugins/auth.js';
import { emptySchema, userSchema, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { AUTH_RATE_LIMIT, setSessionCookie } from './auth.routes.js';

const passkeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'Passkey' });
/** WebAuthn options and answers are the browser's JSON (`PublicKeyCredential…JSON`), checked by the verifier. */
const webauthnJson = z.record(z.string(), z.unknown());
const credentialIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,1400}$/, 'must be a passkey id') })
  .strict();

/**
 * Sign-in without a shell: `GET /auth/methods`, the local admin's passkeys (`/auth/passkeys/*`) and
 * password (`/auth/password`). The login token stays the recovery path.
 */
export function localSignInRoutes(
  app: HttpApp,
  deps: {
    passkeys: PasskeysService;
    password: PasswordService;
    githubConfigured: () => Promise<boolean>;
    secureCookies: boolean;
  },
): void {
  const auth = (level: 'public' | 'admin') => ({ auth: level, rateLimit: AUTH_RATE_LIMIT });

  app.get(
    '/auth/methods',
    {
      config: auth('public'),
      schema: {
        tags: ['auth'],
        summary: 'Which sign-in methods the sign-in page can offer',
        response: withErrors({
          200: z.object({
            github: z.boolean().describe('GitHub OAuth is configured'),
            passkey: z.boolean().describe('the local admin has at least one passkey'),
            password: z.boolean().describe('the local admin has set a password'),
            token: z.literal(true).describe('a login token from `warp-panel login-token` always works'),
          }),
        }),
      },
    },
    async () => ({
      github: await deps.githubConfigured(),
      passkey: await deps.passkeys.any(),
      password: await deps.password.isSet(),
      token: true as const,
    }),
  );

  app.get(
    '/auth/passkeys',
    {
      config: auth('admin'),
      schema: {
        tags: ['auth'],
        summary: "List the local admin's passkeys",
        response: withErrors({ 200: z.object({ items: z.array(passkeySchema) }) }),
      },
    },
    async (request) => ({ items: await deps.passkeys.list(contextOf(request)) }),
  );

  app.post(
    '/auth/passkeys/register/options',
    {
      config: auth('admin'),
      schema: {
        tags: ['auth'],
        summary: 'Start registering a passkey (options for navigator.credentials.create)',
        response: withErrors({ 200: webauthnJson }),
      },
    },
    async (request) =>
      (await deps.passkeys.registrationOptions(contextOf(request))) as unknown as Record<string, unknown>,
  );

  app.post(
    '/auth/passkeys/register',
    {
      config: auth('admin'),
      schema: {
        tags: ['auth'],
        summary: "Finish registering a passkey with the authenticator's answer",
        body: z.object({ name: z.string().min(1).max(100).optional(), response: webauthnJson }).strict(),
        response: withErrors({ 201: z.object({ passkey: passkeySchema }) }),
      },
    },
    async (request, reply) =>
      reply.status(201).send({ passkey: await deps.passkeys.register(contextOf(request), request.body) }),
  );

  app.delete(
    '/auth/passkeys/:id',
    {
      config: auth('admin'),
      schema: {
        tags: ['auth'],
        summary: 'Remove a passkey',
        params: credentialIdParams,
        response: withErrors({ 204: emptySchema }),
      },
    },
    async (request, reply) => {
      await deps.passkeys.remove(contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/passkeys/login/options',
    {
      config: auth('public'),
      schema: {
        tags: ['auth'],
        summary: 'Start a passkey sign-in (a challenge for navigator.credentials.get)',
        response: withErrors({ 200: z.object({ challengeId: z.string(), options: webauthnJson }) }),
      },
    },
    async () => {
      const { challengeId, options } = await deps.passkeys.loginOptions();
      return { challengeId, options: options as unknown as Record<string, unknown> };
    },
  );

  app.post(
    '/auth/passkeys/login',
    {
      config: auth('public'),
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a passkey',
        body: z.object({ challengeId: z.string().min(1).max(100), response: webauthnJson }).strict(),
        response: withErrors({ 200: z.object({ user: userSchema }) }),
      },
    },
    async (request, reply) => {
      const session = await deps.passkeys.login(
        contextOf(request),
        request.body,
        request.headers['user-agent'] ?? null,
      );
      setSessionCookie(reply, session, deps.secureCookies);
      return { user: session.user };
    },
  );

  app.put(
    '/auth/password',
    {
      config: auth('admin'),
      schema: {
        tags: ['auth'],
        summary: "Set or change the local admin's password",
        body: z
          .object({ password: z.string().min(1).max(1024), currentPassword: z.string().max(1024).optional() })
          .strict(),
        response: withErrors({ 204: emptySchema }),
      },
    },
    async (request, reply) => {
      await deps.password.set(contextOf(request), request.body);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/auth/password',
    {
      config: auth('admin'),
      schema: {
        tags: ['auth'],
        summary: "Remove the local admin's password",
        response: withErrors({ 204: emptySchema }),
      },
    },
    async (request, reply) => {
      await deps.password.clear(contextOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/password/login',
    {
      config: auth('public'),
      schema: {
        tags: ['auth'],
        summary: 'Sign in as the local admin with the password',
        body: z
          .object({ login: z.string().min(1).max(100).optional(), password: z.string().min(1).max(1024) })
          .strict(),
        response: withErrors({ 200: z.object({ user: userSchema }) }),
      },
    },
    async (request, reply) => {
      const session = await deps.password.login(
        contextOf(request),
        request.body,
        request.headers['user-agent'] ?? null,
      );
      setSessionCookie(reply, session, deps.secureCookies);
      return { user: session.user };
    },
  );
}
