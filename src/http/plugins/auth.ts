import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthenticated } from '../../domain/errors.js';
import type { AuthService } from '../../features/auth/index.js';
import type { Actor, RequestContext } from '../../lib/request-context.js';
import { clientAddress } from '../client-address.js';

/**
 * Who may call a route: anyone, any signed-in user, or admins only. `hook`: public at the session level
 * (sessions and API tokens are not read at all), the route authenticates the caller itself by a
 * signature or a token of its own (`/hooks/*`).
 */
export type AuthLevel = 'public' | 'user' | 'admin' | 'hook';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
}

/** Name of the session cookie over http (a local panel without TLS). */
export const SESSION_COOKIE = 'warp_session';
/**
 * Name of the session cookie when the public URL is https: the `__Host-` prefix makes the browser
 * insist on Secure, Path=/ and no Domain, so no other site or subdomain can set or shadow it.
 */
export const SECURE_SESSION_COOKIE = '__Host-warp_session';

/** The session cookie a request carries, under either name. */
export const sessionCookieOf = (request: FastifyRequest): string | undefined =>
  request.cookies[SECURE_SESSION_COOKIE] ?? request.cookies[SESSION_COOKIE];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The API description (OpenAPI document and Swagger UI): signed-in users only unless a setting opens it. */
export const isDocsUrl = (url: string): boolean => url === '/api/openapi.json' || url.startsWith('/api/docs');

/** The auth level of a route: its `config.auth`, else `user` for the API and `public` elsewhere. */
export function authLevelOf(url: string, configured: AuthLevel | undefined): AuthLevel {
  if (isDocsUrl(url)) return 'user';
  return configured ?? (url.startsWith('/api/v1') ? 'user' : 'public');
}

/** Service-facing context of a request. */
export const contextOf = (request: FastifyRequest): RequestContext => ({
  actor: request.actor,
  requestId: request.id,
  ip: clientAddress(request),
});

/** Actor of a route that requires one. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

/**
 * Resolves the session cookie or bearer token on every request, then enforces the route's level and
 * the `X-Warp-Request: 1` rule for cookie-authenticated writes.
 */
export function registerAuth(
  app: FastifyInstance,
  auth: AuthService,
  opts: { publicDocs?: () => Promise<boolean> } = {},
): void {
  app.decorateRequest('actor', null);

  app.addHook('onRequest', async (request) => {
    // A hook's `Authorization` is its own token, never an API token; cookies grant nothing there.
    if (request.routeOptions.config.auth === 'hook') return;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const found = await auth.authenticateBearer(header.slice(7).trim());
      if (!found) throw unauthenticated('API token is invalid, expired or revoked');
      request.actor = found.actor;
    } else {
      const cookie = sessionCookieOf(request);
      if (cookie) request.actor = (await auth.authenticateSession(cookie))?.actor ?? null;
    }
    const url = request.routeOptions.url ?? request.url;
    if (!request.actor && isDocsUrl(url) && (await opts.publicDocs?.())) return;
    enforce(request);
  });

  // Enforced in onRequest, before the body is parsed and validated: an anonymous caller or an operator
  // on an admin route gets 401/403, never validation feedback, and a forged write is refused unread.
  function enforce(request: FastifyRequest): void {
    const level = authLevelOf(request.routeOptions.url ?? request.url, request.routeOptions.config.auth);
    if (level === 'public' || level === 'hook') return;
    const actor = requireActor(request);
    if (
      actor.via === 'session' &&
      !SAFE_METHODS.has(request.method) &&
      request.headers['x-warp-request'] !== '1'
    ) {
      throw new AppError('CSRF_FAILED', 'cookie-authenticated writes must send the header X-Warp-Request: 1');
    }
    if (level === 'admin' && actor.role !== 'admin') throw forbidden('this action needs the admin role');
  }
}
