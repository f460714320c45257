import http from 'node:http';
import { createRequire } from 'node:module';
import { canonicalRegistryHost, type RegistryCredentials, registryApiHost } from './registry-auth.js';

// node:https (and node:tls under it) loads with the first registry check over TLS, not with the panel.
const requireBuiltin = createRequire(import.meta.url);
let httpsModule: typeof import('node:https') | null = null;
const https = () => (httpsModule ??= requireBuiltin('node:https') as typeof import('node:https'));

/**
 * Talks the registry HTTP API (distribution's v2 protocol) directly: `GET /v2/` answers 401 with a
 * `WWW-Authenticate` challenge, either `Basic realm=…` (retry with basic auth) or
 * `Bearer realm="…",service="…"` (get a token from the realm with the credentials as basic auth, then
 * retry with the token). Loopback registries are spoken to over plain HTTP, every other over HTTPS.
 */

/** Answer of a credentials check (`POST /api/v1/registries/:host/check`). */
export interface RegistryCheckResult {
  ok: boolean;
  message: string;
}

/** Options of the registry HTTP calls. */
export interface RegistryHttpOptions {
  /** Bound for each request (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** True for `localhost`, `127.0.0.0/8` and `[::1]` hosts (with or without a port). */
export function isLoopbackRegistry(host: string): boolean {
  const h = canonicalRegistryHost(host);
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** Base URL of a registry's API: `http://` for loopback, else `https://`; Docker Hub's API host. */
export function registryBaseUrl(host: string): string {
  const scheme = isLoopbackRegistry(host) ? 'http' : 'https';
  return `${scheme}://${registryApiHost(host)}`;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"` (first challenge). */
export function parseAuthChallenge(header: string | null): AuthChallenge | null {
  if (!header) return null;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2] ?? ''); p; p = re.exec(m[2] ?? '')) {
    params[(p[1] ?? '').toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (m[1] ?? '').toLowerCase(), params };
}

const basicHeader = (c: RegistryCredentials): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;

/** A short cause for a failed request (never a raw resolver message or a stack). */
export function transportCause(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; message?: string } } | null;
  if (e?.name === 'TimeoutError') return 'timed out';
  if (e?.name === 'AbortError') return 'canceled';
  const code = e?.cause?.code ?? e?.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'host name not found';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'timed out';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'the connection was cut';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no route to the host';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return 'its TLS certificate is not trusted';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /SSL/.test(code)) return 'the TLS handshake failed';
  return 'the request failed';
}

class Unreachable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A registry response: status, headers, and the body (capped at 1 MB). */
interface Reply {
  status: number;
  ok: boolean;
  header(name: string): string | null;
  body: string;
}

const MAX_BODY = 1 << 20;
const MAX_REDIRECTS = 5;

/**
 * One GET over node:http(s) (not fetch: fetch refuses "bad ports" such as 6000 that a registry may
 * use), bounded by `timeoutMs`, following up to five redirects (credentials only to the first host).
 * Transport failures become `Unreachable` with a short cause.
 */
function get(url: string, headers: Record<string, string>, o: RegistryHttpOptions, hops = 0): Promise<Reply> {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https() : http;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<Reply>((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(o.signal?.reason);
    const timer = setTimeout(() => fail(new Unreachable('timed out')), timeoutMs);
    const req = lib.get(target, { headers: { 'user-agent': 'warp-panel', ...headers } }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && hops < MAX_REDIRECTS) {
        res.resume();
        settled = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        const next = new URL(location, target);
        const keep = next.host === target.host ? headers : {};
        resolve(get(next.toString(), keep, o, hops + 1));
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('error', (err) => fail(new Unreachable(transportCause(err))));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        resolve({
          status,
          ok: status >= 200 && status < 300,
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
          },
          body,
        });
      });
    });
    req.on('error', (err) => fail(new Unreachable(transportCause(err))));
    o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const json = (reply: Reply): unknown => {
  try {
    return JSON.parse(reply.body);
  } catch {
    return null;
  }
};

/** Only http(s) realms; a non-loopback registry's realm must be HTTPS (credentials go there). */
function checkedRealm(realm: string | undefined, host: string): URL | null {
  if (!realm) return null;
  try {
    const url = new URL(realm);
    if (url.protocol === 'https:') return url;
    if (url.protocol === 'http:' && isLoopbackRegistry(host) && isLoopbackRegistry(url.host)) return url;
    return null;
  } catch {
    return null;
  }
}

type TokenAnswer = { token: string } | { rejected: true } | { error: string };

/** Fetch a bearer token from the challenge's realm (with credentials as basic auth, if any). */
async function fetchToken(
  host: string,
  challenge: AuthChallenge,
  creds: RegistryCredentials | undefined,
  scope: string | undefined,
  o: RegistryHttpOptions,
): Promise<TokenAnswer> {
  const realm = checkedRealm(challenge.params.realm, host);
  if (!realm) return { error: 'its token service address is missing or not HTTPS' };
  if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
  if (scope) realm.searchParams.set('scope', scope);
  if (creds) {
    realm.searchParams.set('account', creds.username);
    realm.searchParams.set('client_id', 'warp-panel');
  }
  const res = await get(realm.toString(), creds ? { authorization: basicHeader(creds) } : {}, o);
  if (res.status === 401 || res.status === 403) return { rejected: true };
  if (!res.ok) return { error: `its token service answered HTTP ${res.status}` };
  const body = json(res) as { token?: unknown; access_token?: unknown } | null;
  const token = typeof body?.token === 'string' ? body.token : body?.access_token;
  return typeof token === 'string' && token !== '' ? { token } : { error: 'its token service sent no token' };
}

/** Authorization header for a request that was answered 401 with `challenge`, or the reason it failed. */
async function authorizationFor(
  host: string,
  challenge: AuthChallenge | null,
  creds: RegistryCredentials | undefined,
  scope: string | undefined,
  o: RegistryHttpOptions,
): Promise<{ header: string } | { rejected: true } | { error: string }> {
  if (challenge?.scheme === 'basic') return creds ? { header: basicHeader(creds) } : { rejected: true };
  if (challenge?.scheme === 'bearer') {
    const t = await fetchToken(host, challenge, creds, scope, o);
    return 'token' in t ? { header: `Bearer ${t.token}` } : t;
  }
  return { error: 'it answered 401 without a usable WWW-Authenticate challenge' };
}

/**
 * Do these credentials work for `host`? `GET /v2/`, then basic auth or a bearer token as the
 * registry's challenge asks. Never throws: `{ok, message}` with a sentence for people.
 */
export async function checkRegistryCredentials(
  host: string,
  creds: RegistryCredentials,
  o: RegistryHttpOptions = {},
): Promise<RegistryCheckResult> {
  const name = canonicalRegistryHost(host);
  const base = registryBaseUrl(host);
  try {
    const first = await get(`${base}/v2/`, {}, o);
    if (first.ok)
      return { ok: true, message: `registry ${name} answers without credentials; nothing to check` };
    if (first.status !== 401)
      return { ok: false, message: `registry ${name} answered HTTP ${first.status} on /v2/` };
    const auth = await authorizationFor(
      host,
      parseAuthChallenge(first.header('www-authenticate')),
      creds,
      undefined,
      o,
    );
    if ('rejected' in auth)
      return { ok: false, message: `registry ${name} rejected the credentials of ${creds.username}` };
    if ('error' in auth)
      return { ok: false, message: `registry ${name} cannot be logged in to: ${auth.error}` };
    const second = await get(`${base}/v2/`, { authorization: auth.header }, o);
    if (second.ok) return { ok: true, message: `credentials of ${creds.username} work for registry ${name}` };
    if (second.status === 401 || second.status === 403)
      return { ok: false, message: `registry ${name} rejected the credentials of ${creds.username}` };
    return { ok: false, message: `registry ${name} answered HTTP ${second.status} on /v2/ with credentials` };
  } catch (err) {
    if (err instanceof Unreachable)
      return { ok: false, message: `registry ${name} is unreachable (${err.reason})` };
    if (o.signal?.aborted) throw err;
    return { ok: false, message: `registry ${name} could not be checked` };
  }
}

/** A repository's tags, or that it does not exist. */
export type TagList = { exists: true; tags: string[] } | { exists: false };

/**
 * `GET /v2/<repository>/tags/list` (with a `repository:<repo>:pull` token when the registry uses
 * tokens). Resolves `{exists:false}` on the registry's 404 (NAME_UNKNOWN), the tags on 200, and
 * null whenever it cannot tell (unauthorized, unreachable, another status).
 */
export async function listRegistryTags(
  host: string,
  repository: string,
  creds: RegistryCredentials | undefined,
  o: RegistryHttpOptions = {},
): Promise<TagList | null> {
  const url = `${registryBaseUrl(host)}/v2/${repository}/tags/list?n=1000`;
  try {
    let res = await get(url, {}, o);
    if (res.status === 401) {
      const auth = await authorizationFor(
        host,
        parseAuthChallenge(res.header('www-authenticate')),
        creds,
        `repository:${repository}:pull`,
        o,
      );
      if (!('header' in auth)) return null;
      res = await get(url, { authorization: auth.header }, o);
    }
    if (res.status === 404) return { exists: false };
    if (!res.ok) return null;
    const body = json(res) as { tags?: unknown } | null;
    const tags = Array.isArray(body?.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
    return { exists: true, tags };
  } catch (err) {
    if (o.signal?.aborted) throw err;
    return null;
  }
}
