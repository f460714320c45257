import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import type { AuthService, IssuedSession } from '../../features/auth/index.js';
import { toPublicUser } from '../../features/auth/index.js';
import {
  contextOf,
  requireActor,
  SECURE_SESSION_COOKIE,
  SESSION_COOKIE,
  sessionCookieOf,
} from '../plugins/auth.js';
import { emptySchema, userSchema, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Rate limit for everything under /auth. */
export const AUTH_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

/** Set the session cookie for a new session (a fresh id on every login: no fixation). */
export function setSessionCookie(reply: FastifyReply, session: IssuedSession, secure: boolean): void {
  reply.setCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, session.cookieValue, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    // The browser keeps it as long as activity may keep the session alive; the server decides sooner.
    maxAge: session.maxAgeSeconds,
  });
}

/** Login token, me, logout. */
export function authRoutes(app: HttpApp, deps: { auth: AuthService; secureCookies: boolean }): void {
  app.post(
    '/auth/token',
    {
      config: { auth: 'public', rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['auth'],
        body: z.object({ token: z.string().min(1).max(200) }).strict(),
        response: withErrors({ 200: z.object({ user: userSchema }) }),
      },
    },
    async (request, reply) => {
      const session = await deps.auth.loginWithToken(
        request.body.token,
        contextOf(request),
        request.headers['user-agent'] ?? null,
      );
      setSessionCookie(reply, session, deps.secureCookies);
      return { user: session.user };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { auth: 'user', rateLimit: AUTH_RATE_LIMIT },
      schema: {
        tags: ['auth'],
        response: withErrors({
          200: z.object({ user: userSchema, session: z.object({ expiresAt: z.string().nullable() }) }),
        }),
      },
    },
    async (request) => {
      requireActor(request);
      return deps.auth.me(contextOf(request), sessionCookieOf(request));
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: 'user', rateLimit: AUTH_RATE_LIMIT },
      schema: { tags: ['auth'], response: withErrors({ 204: emptySchema }) },
    },
    async (request, reply) => {
      await deps.auth.logout(contextOf(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(SECURE_SESSION_COOKIE, { path: '/', secure: true });
      return reply.status(204).send(null);
    },
  );
}
