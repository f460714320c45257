import { AppError, validationError } from '../../domain/errors.js';
import { engineReason, toDomainError } from './docker-errors.js';

/**
 * Pull failures → AppErrors that name the image and the registry. Built from what Engine 26.1.5
 * (API 1.45) answered here against Debian's docker-registry 2.8 (htpasswd auth) and unreachable
 * hosts; each arrives as the HTTP error of `POST /images/create` (500, or 404 for a missing manifest)
 * or as an `errorDetail` message in the stream:
 *
 * - no credentials:  `Head "http://127.0.0.1:41985/v2/warp/app/manifests/v1": no basic auth credentials`
 * - wrong password:  `unauthorized: authentication required`
 * - unknown tag and unknown repository alike (the registry's 404 is MANIFEST_UNKNOWN for both):
 *                    `manifest for 127.0.0.1:41985/warp/app:v9 not found: manifest unknown: manifest unknown`
 * - closed port:     `Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused`
 * - DNS failure:     `Get "https://no-such-host.invalid/v2/": dial tcp: lookup no-such-host.invalid on 10.255.255.53:53: no such host`
 * - silent server:   `Get "http://127.0.0.1:46199/v2/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)` (after 25 s)
 * - TLS:             `Get "https://10.255.255.1/v2/": tls: failed to verify certificate: x509: cannot validate certificate for 10.255.255.1 because it doesn't contain any IP SANs`
 *
 * Docker Hub's and GHCR's forms (`pull access denied for x, repository does not exist or may require
 * 'docker login': denied: requested access to the resource is denied`, `denied`, `toomanyrequests: …`,
 * `unauthorized: incorrect username or password`) are matched from their documented wording.
 */

/** What went wrong, as far as the user can act on it. */
export type PullFailureKind =
  | 'unauthorized'
  | 'denied'
  | 'unknown-image'
  | 'unknown-tag'
  /** A manifest is missing and whether the repository exists is not known. */
  | 'unknown-manifest'
  /** Docker Hub's answer for a missing repository and for a private one alike. */
  | 'unknown-or-private'
  | 'unreachable'
  | 'rate-limited'
  | 'invalid-reference'
  | 'other';

/** A classified failure: the kind and, for `unreachable`, a short cause (`connection refused`). */
export interface PullFailure {
  kind: PullFailureKind;
  cause: string | null;
}

const UNREACHABLE: Array<[RegExp, string]> = [
  [/connection refused/i, 'connection refused'],
  [
    /no such host|server misbehaving|temporary failure in name resolution|name resolution/i,
    'host name not found',
  ],
  [/i\/o timeout|timeout exceeded|timed out|deadline exceeded|tls handshake timeout/i, 'timed out'],
  [/no route to host|network is unreachable|host is unreachable/i, 'no route to the host'],
  [/connection reset|broken pipe|: EOF$|"\s*:\s*EOF|unexpected EOF/i, 'the connection was cut'],
  [/x509:|certificate/i, 'its TLS certificate is not trusted'],
  [/server gave HTTP response to HTTPS client/i, 'it speaks plain HTTP, not HTTPS'],
  [/tls:|first record does not look like a TLS handshake/i, 'the TLS handshake failed'],
];

/** Classify an engine message (the HTTP error's or a stream `errorDetail.message`). */
export function classifyPullMessage(message: string): PullFailure {
  const m = message.trim();
  if (/invalid reference format/i.test(m)) return { kind: 'invalid-reference', cause: null };
  if (/toomanyrequests|too many requests|rate limit/i.test(m)) return { kind: 'rate-limited', cause: null };
  if (/repository does not exist or may require/i.test(m)) return { kind: 'unknown-or-private', cause: null };
  if (
    /no basic auth credentials|unauthorized|authentication required|incorrect username or password|401 unauthorized/i.test(
      m,
    )
  )
    return { kind: 'unauthorized', cause: null };
  if (/\bdenied\b|permission_denied|forbidden/i.test(m)) return { kind: 'denied', cause: null };
  if (/name unknown|repository name not known|repository .* not found/i.test(m))
    return { kind: 'unknown-image', cause: null };
  if (/manifest unknown|manifest for .* not found|not found: manifest/i.test(m))
    return { kind: 'unknown-manifest', cause: null };
  for (const [re, cause] of UNREACHABLE) if (re.test(m)) return { kind: 'unreachable', cause };
  return { kind: 'other', cause: null };
}

/** What a pull failure message needs to name. */
export interface PullErrorContext {
  /** The reference as asked for (`127.0.0.1:5000/warp/app:v1`). */
  image: string;
  /** Registry host (`127.0.0.1:5000`, `docker.io`, `ghcr.io`). */
  registry: string;
  /** Repository without registry and tag (`warp/app`). */
  repository: string;
  /** Tag or digest asked for. */
  tag: string;
  /** Whether credentials were sent. */
  withCredentials: boolean;
  /**
   * For a missing manifest: whether the repository exists (from the registry's tag list), when the
   * caller could find out. `false` → unknown image, `true` → unknown tag; unknown → both named.
   */
  repositoryExists?: boolean | null;
  /** Tags the repository has, when known (listed in an unknown-tag message). */
  knownTags?: string[];
}

/** The first line of an engine message, without a URL's query and capped (no stacks, no walls of text). */
function firstLine(message: string): string {
  const line = (message.split('\n')[0] ?? '').trim();
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/** The AppError for a classified failure. */
export function pullFailureError(
  failure: PullFailure,
  ctx: PullErrorContext,
  raw: string,
  cause?: unknown,
): AppError {
  const reg = `registry ${ctx.registry}`;
  const opts = cause === undefined ? {} : { cause };
  const isDigest = ctx.tag.includes(':');
  const tagWord = isDigest ? `digest ${ctx.tag}` : `tag ${ctx.tag}`;
  switch (failure.kind) {
    case 'unauthorized':
      return new AppError(
        'PRECONDITION_FAILED',
        ctx.withCredentials
          ? `${reg} rejected the credentials for ${ctx.image} (unauthorized): check the user name and password or token saved for ${ctx.registry}`
          : `${reg} requires credentials to pull ${ctx.image} (unauthorized): add credentials for ${ctx.registry} under registries`,
        opts,
      );
    case 'denied':
      return new AppError(
        'PRECONDITION_FAILED',
        `${reg} denied access to ${ctx.image}: the ${ctx.withCredentials ? 'saved credentials do' : 'image needs credentials that'} not grant pull access to ${ctx.repository}`,
        opts,
      );
    case 'unknown-or-private':
      return new AppError(
        'NOT_FOUND',
        `image ${ctx.repository} not found in ${reg}, or it is private and ${ctx.withCredentials ? 'the saved credentials do not grant access' : 'needs credentials'} (pulling ${ctx.image})`,
        opts,
      );
    case 'unknown-image':
      return new AppError(
        'NOT_FOUND',
        `image ${ctx.repository} not found in ${reg} (pulling ${ctx.image})`,
        opts,
      );
    case 'unknown-tag': {
      const known =
        ctx.knownTags && ctx.knownTags.length > 0
          ? ` (it has ${ctx.knownTags.slice(0, 10).join(', ')}${ctx.knownTags.length > 10 ? ', …' : ''})`
          : '';
      return new AppError(
        'NOT_FOUND',
        `${tagWord} of image ${ctx.repository} not found in ${reg}${known}`,
        opts,
      );
    }
    case 'unknown-manifest':
      if (ctx.repositoryExists === false)
        return pullFailureError({ kind: 'unknown-image', cause: null }, ctx, raw, cause);
      if (ctx.repositoryExists === true)
        return pullFailureError({ kind: 'unknown-tag', cause: null }, ctx, raw, cause);
      return new AppError(
        'NOT_FOUND',
        `${tagWord} of image ${ctx.repository} not found in ${reg} (no such tag, or no such image)`,
        opts,
      );
    case 'unreachable':
      return new AppError(
        'UPSTREAM_ERROR',
        `${reg} is unreachable${failure.cause ? ` (${failure.cause})` : ''} while pulling ${ctx.image}`,
        opts,
      );
    case 'rate-limited':
      return new AppError(
        'UPSTREAM_ERROR',
        `${reg} refused to pull ${ctx.image}: its pull rate limit is reached${ctx.withCredentials ? '' : ' (credentials raise the limit on Docker Hub)'}; try again later`,
        opts,
      );
    case 'invalid-reference':
      return validationError(`invalid image reference ${ctx.image}`, [
        { path: 'image', message: 'invalid reference format' },
      ]);
    case 'other':
      return new AppError(
        'UPSTREAM_ERROR',
        `pulling ${ctx.image} from ${reg} failed: ${firstLine(raw)}`,
        opts,
      );
  }
}

/** True for a transport failure between us and the engine (no HTTP status: socket missing, refused). */
function isEngineTransportError(err: unknown): boolean {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  return !!e && e.statusCode === undefined && typeof e.code === 'string' && e.code !== 'ABORT_ERR';
}

/**
 * Map whatever a pull threw (a dockerode HTTP error, a stream `errorDetail` message as a string or
 * Error, a transport error of the engine socket) to an AppError naming image and registry. Engine
 * transport failures stay Docker-engine errors (`toDomainError`); an AppError passes through.
 */
export function toPullError(err: unknown, ctx: PullErrorContext): AppError {
  if (err instanceof AppError) return err;
  if (isEngineTransportError(err)) return toDomainError(err);
  const raw = typeof err === 'string' ? err : engineReason(err);
  return pullFailureError(classifyPullMessage(raw), ctx, raw, typeof err === 'string' ? undefined : err);
}

/** The error of a pull that received nothing for `ms`. */
export const pullStalledError = (ctx: PullErrorContext, ms: number): AppError =>
  new AppError(
    'UPSTREAM_ERROR',
    `pulling ${ctx.image} from registry ${ctx.registry} stalled: no progress for ${Math.round(ms / 100) / 10} s`,
  );

/** The error a canceled pull rejects with: the signal's AppError reason, else a CONFLICT. */
export function pullCanceledError(signal: AbortSignal, ctx: PullErrorContext): AppError {
  if (signal.reason instanceof AppError) return signal.reason;
  return new AppError('CONFLICT', `pulling ${ctx.image} was canceled`);
}
