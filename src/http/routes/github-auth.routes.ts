import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { GithubAuthService } from '../../features/auth/index.js';
import { callbackQuery, OAUTH_STATE_TTL_MS } from '../../features/auth/index.js';
import { contextOf } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { AUTH_RATE_LIMIT, setSessionCookie } from './auth.routes.js';

/** Cookie that binds a started sign-in (its state) to the browser. */
export const OAUTH_COOKIE = 'warp_oauth';
const COOKIE_PATH = '/auth';

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const TITLES: Record<number, string> = {
  400: 'Sign-in could not be completed',
  403: 'Access denied',
  409: 'Access denied',
  422: 'GitHub sign-in is not configured',
  502: 'GitHub did not answer as expected',
};

/** A small, self-contained HTML page for a failed sign-in (everything escaped; no scripts). */
export function signInErrorPage(status: number, message: string, requestId: string): string {
  const title = escapeHtml(TITLES[status] ?? 'Sign-in failed');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Warp Panel</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem}a{color:#0b5fff}</style></head>
<body><h1>${title}</h1><p>${escapeHtml(message)}</p>
<p><a href="/auth/login">Try again</a> · <a href="/">Back to the panel</a></p>
<p><small>Request id <code>${escapeHtml(requestId)}</code></small></p></body></html>
`;
}

const sendPage = (reply: FastifyReply, status: number, message: string, requestId: string) =>
  reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(signInErrorPage(status, message, requestId));

// GitHub may add parameters of its own to the redirect, so the query is not `.strict()`.
/** GitHub OAuth sign-in: `GET /auth/login` and `GET /auth/callback`. */
export function githubAuthRoutes(
  app: HttpApp,
  deps: { githubAuth: GithubAuthService; secureCookies: boolean },
): void {
  app.get(
    '/auth/login',
    {
      config: { auth: 'public', rateLimit: AUTH_RATE_LIMIT },
      schema: { tags: ['auth'], response: withErrors({ 302: z.null() }) },
    },
    async (_request, reply) => {
      const { url, state } = await deps.githubAuth.begin();
      reply.setCookie(OAUTH_COOKIE, state, {
        path: COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        maxAge: OAUTH_STATE_TTL_MS / 1000,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/auth/callback',
    {
      config: { auth: 'public', rateLimit: AUTH_RATE_LIMIT },
      schema: { tags: ['auth'], querystring: callbackQuery, response: { 302: z.null() } },
    },
    async (request, reply) => {
      const q = request.query;
      const cookieState = request.cookies[OAUTH_COOKIE];
      // Single use: the state cookie goes away whatever happens next.
      reply.clearCookie(OAUTH_COOKIE, { path: COOKIE_PATH });
      try {
        const session = await deps.githubAuth.complete(
          {
            code: q.code,
            state: q.state,
            error: q.error,
            errorDescription: q.error_description,
            cookieState,
          },
          contextOf(request),
          request.headers['user-agent'] ?? null,
        );
        setSessionCookie(reply, session, deps.secureCookies);
        return reply.redirect('/', 302);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const log =
          err.status >= 500 ? request.log.warn.bind(request.log) : request.log.info.bind(request.log);
        log({ code: err.code, reason: err.message }, 'GitHub sign-in failed');
        return sendPage(reply, err.status, err.message, request.id);
      }
    },
  );
}
