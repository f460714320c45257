import type { Logger } from 'pino';
import { AppError, forbidden, preconditionFailed, validationError } from '../../domain/errors.js';
import {
  authorizeUrl,
  exchangeCode,
  fetchProfile,
  type GithubProfile,
  membershipState,
  pkcePair,
} from '../../integrations/github/github-oauth.js';
import { createOctokit } from '../../integrations/github/octokit-factory.js';
import type { RequestContext } from '../../lib/request-context.js';
import { randomToken, safeEqual } from '../../lib/tokens.js';
import type { AuditService } from '../audit/index.js';
import type { Settings, SettingsService } from '../settings/index.js';
import type { AuthService, IssuedSession } from './auth.service.js';
import { createOAuthStateStore } from './oauth-state-store.js';

/** What the callback receives: the query and the state cookie. */
export interface CallbackInput {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  cookieState?: string | undefined;
}

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));

/** Why a GitHub user may sign in (`user` list or an org with active membership), or null. */
async function admission(
  access: Settings['access'],
  profile: GithubProfile,
  orgState: (org: string) => Promise<string | null>,
): Promise<string | null> {
  const login = profile.login.toLowerCase();
  if (lower(access.adminUsers).has(login)) return 'adminUsers';
  if (lower(access.allowedUsers).has(login)) return 'allowedUsers';
  for (const org of access.allowedOrgs) {
    if ((await orgState(org)) === 'active') return `org:${org}`;
  }
  return null;
}

/** GitHub OAuth web-flow sign-in: state bound to the browser, PKCE S256, allowlist, session. */
export function createGithubAuthService(deps: {
  settings: Pick<SettingsService, 'get'>;
  auth: Pick<AuthService, 'createSession' | 'upsertGithubUser'>;
  audit: AuditService;
  log: Logger;
  publicUrl: string;
}) {
  const store = createOAuthStateStore();
  const redirectUri = `${deps.publicUrl}/auth/callback`;

  async function oauthSettings() {
    const s = await deps.settings.get();
    const { oauthClientId, oauthClientSecret } = s.github;
    if (!oauthClientId || !oauthClientSecret) {
      throw preconditionFailed(
        'GitHub sign-in is not configured: set the GitHub OAuth client ID and client secret in Settings → GitHub',
      );
    }
    return { s, clientId: oauthClientId, clientSecret: oauthClientSecret };
  }

  async function refuse(ctx: RequestContext, login: string, reason: string, message: string): Promise<never> {
    await deps.audit.record(ctx, 'auth.login', {
      actor: null,
      target: login,
      result: 'error',
      details: { method: 'github', login, reason },
    });
    deps.log.info({ login, reason }, 'GitHub sign-in refused');
    throw forbidden(message);
  }

  return {
    /** Start a sign-in: the authorize URL to redirect to and the state for the browser cookie. */
    async begin(): Promise<{ url: string; state: string }> {
      const { s, clientId } = await oauthSettings();
      const state = randomToken('', 24);
      const { verifier, challenge } = pkcePair();
      store.put(state, verifier);
      const scope = s.access.allowedOrgs.length > 0 ? 'read:user read:org' : 'read:user';
      const url = authorizeUrl({ webUrl: s.github.webUrl, clientId, redirectUri, state, scope, challenge });
      return { url, state };
    },

    /** Finish a sign-in; throws AppError (400 state, 403 refused, 422 unconfigured, 502 GitHub). */
    async complete(
      input: CallbackInput,
      ctx: RequestContext,
      userAgent: string | null,
    ): Promise<IssuedSession> {
      if (!input.cookieState) throw validationError('the sign-in expired or was started in another browser');
      if (!input.state || !safeEqual(input.state, input.cookieState)) {
        throw validationError('the sign-in state does not match this browser');
      }
      const verifier = store.take(input.state);
      if (!verifier) throw validationError('this sign-in link was already used or has expired');
      if (input.error) {
        const why = (input.errorDescription ?? input.error).slice(0, 200);
        throw forbidden(`GitHub did not complete the sign-in: ${why}`);
      }
      if (!input.code) throw validationError('GitHub sent no sign-in code');
      const { s, clientId, clientSecret } = await oauthSettings();

      const token = await exchangeCode({
        webUrl: s.github.webUrl,
        clientId,
        clientSecret,
        code: input.code,
        redirectUri,
        verifier,
      });
      const octokit = await createOctokit({ baseUrl: s.github.apiUrl, log: deps.log, auth: token });
      const profile = await fetchProfile(octokit);
      const via = await admission(s.access, profile, (org) => membershipState(octokit, org));
      if (!via) {
        return refuse(
          ctx,
          profile.login,
          'not allowed',
          `the GitHub account ${profile.login} is not allowed here`,
        );
      }
      const isAdmin = lower(s.access.adminUsers).has(profile.login.toLowerCase());
      const role = isAdmin ? 'admin' : 'operator';
      let user: Awaited<ReturnType<typeof deps.auth.upsertGithubUser>>;
      try {
        user = await deps.auth.upsertGithubUser(
          {
            githubId: String(profile.id),
            login: profile.login,
            name: profile.name,
            avatarUrl: profile.avatarUrl,
          },
          role,
          via,
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONFLICT') {
          return refuse(ctx, profile.login, 'login conflict', err.message);
        }
        throw err;
      }
      const session = await deps.auth.createSession(user, ctx, userAgent);
      await deps.audit.record(ctx, 'auth.login', {
        actor: user.login,
        target: user.login,
        details: { method: 'github', role, via },
      });
      return session;
    },
  };
}

/** The GitHub sign-in service. */
export type GithubAuthService = ReturnType<typeof createGithubAuthService>;
