import { createHash, randomBytes } from 'node:crypto';
import type { Octokit } from '@octokit/rest';
import { AppError, upstreamError } from '../../domain/errors.js';
import { maskCredentials, statusOf, toGithubError } from './github-errors.js';
import { GITHUB_TIMEOUT_MS } from './octokit-factory.js';

/** The signed-in GitHub user. */
export interface GithubProfile {
  id: number;
  login: string;
  name: string | null;
  avatarUrl: string | null;
}

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `<webUrl>/login/oauth/authorize?…` with state and PKCE S256. */
export function authorizeUrl(opts: {
  webUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  challenge: string;
}): string {
  const url = new URL(`${opts.webUrl}/login/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    scope: opts.scope,
    state: opts.state,
    code_challenge: opts.challenge,
    code_challenge_method: 'S256',
    allow_signup: 'false',
  }).toString();
  return url.toString();
}

/** Errors that mean "start the sign-in again", not "GitHub or the panel is misconfigured". */
const RETRYABLE = new Set(['bad_verification_code', 'bad_code_verifier', 'invalid_grant']);
const clip = (s: string, n = 200) => maskCredentials(s.replace(/\s+/g, ' ').trim()).slice(0, n);

/**
 * Exchange the code for a user token at `<webUrl>/login/oauth/access_token`. GitHub answers many
 * errors with HTTP 200 and an `error` field (integration-facts §3), so the body is always checked.
 */
export async function exchangeCode(opts: {
  webUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  redirectUri: string;
  verifier: string;
}): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${opts.webUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        code: opts.code,
        redirect_uri: opts.redirectUri,
        code_verifier: opts.verifier,
      }),
      signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
    });
  } catch (err) {
    throw upstreamError('GitHub', `sign-in code exchange failed: ${clip((err as Error).message)}`);
  }
  const text = await res.text();
  let body: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: handled below by the missing token
  }
  if (typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    const reason = clip(`${body.error}${description}`);
    if (RETRYABLE.has(body.error)) {
      throw new AppError('VALIDATION_FAILED', `GitHub did not accept the sign-in code (${reason})`);
    }
    throw upstreamError('GitHub', `sign-in refused (${reason})`);
  }
  if (!res.ok || typeof body.access_token !== 'string' || body.access_token === '') {
    throw upstreamError('GitHub', `sign-in code exchange failed: ${res.status} ${clip(text, 120)}`);
  }
  return body.access_token;
}

/** `GET /user` with the user's token. */
export async function fetchProfile(octokit: Octokit): Promise<GithubProfile> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { id: data.id, login: data.login, name: data.name ?? null, avatarUrl: data.avatar_url ?? null };
  } catch (err) {
    throw toGithubError(err, 'reading the signed-in user');
  }
}

/**
 * The user's membership state in `org` (`GET /user/memberships/orgs/{org}`): `active`, `pending`,
 * or null when not affiliated (404) or when GitHub will not tell (403: App blocked by the org).
 */
export async function membershipState(octokit: Octokit, org: string): Promise<string | null> {
  try {
    const { data } = await octokit.rest.orgs.getMembershipForAuthenticatedUser({ org });
    return data.state;
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || status === 403) return null;
    throw toGithubError(err, `checking membership of ${org}`);
  }
}
