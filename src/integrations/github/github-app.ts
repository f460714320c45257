import type { createAppAuth } from '@octokit/auth-app';
import type { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { AppError, preconditionFailed } from '../../domain/errors.js';
import { githubSnippet, statusOf, toGithubError } from './github-errors.js';
import { createOctokit, octokitLog } from './octokit-factory.js';
import { createTokenCache } from './token-cache.js';

/** An installation access token (for `git clone` over HTTPS or raw REST calls). */
export interface InstallationToken {
  token: string;
  expiresAt: string;
  permissions: Record<string, string>;
  repositorySelection: string;
}

/** Result of the onboarding check of the App settings. */
export interface GithubAppTestResult {
  ok: boolean;
  permissions: Record<string, string>;
  message: string;
}

/** What generating repos from templates and cloning them needs (integration-facts §1). */
export const REQUIRED_PERMISSIONS: Record<string, 'read' | 'write'> = {
  administration: 'write',
  contents: 'read',
};

/** Not needed to deploy, but push to deploy reports commit statuses with it. */
export const RECOMMENDED_PERMISSIONS: Record<string, 'write'> = { statuses: 'write' };

/** The App credentials as the settings hold them (read on every build, so a change applies at once). */
export interface GithubAppSettings {
  github: {
    apiUrl: string;
    appId: string | null;
    appPrivateKey: string | null;
    installationId: string | null;
  };
}

/** Where the App credentials come from: the settings, or a fixed value in tests. */
export interface GithubAppSettingsSource {
  get(): Promise<GithubAppSettings>;
  /** Called after every settings change; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

interface Built {
  octokit: Octokit;
  auth: ReturnType<typeof createAppAuth>;
  installationId: string;
}

/**
 * GitHub App installation access: tokens minted from the App id + private key (cached until shortly
 * before expiry, re-minted once on a 401) and an Octokit that uses them. Rebuilt when settings change.
 */
export function createGithubApp(deps: { settings: GithubAppSettingsSource; log: Logger }) {
  const log = deps.log;
  let built: Promise<Built> | null = null;
  let lastLoggedCreatedAt: string | null = null;
  const unsubscribe = deps.settings.onChange(() => {
    built = null;
  });

  async function build(): Promise<Built> {
    const gh = (await deps.settings.get()).github;
    if (!gh.appId || !gh.appPrivateKey || !gh.installationId) {
      throw preconditionFailed(
        'the GitHub App is not configured: set github.appId, github.appPrivateKey and github.installationId',
      );
    }
    // A separate, hook-less client mints tokens, so minting never goes through the token hook below.
    const minter = await createOctokit({ baseUrl: gh.apiUrl, log });
    const { createAppAuth } = await import('@octokit/auth-app');
    const auth = createAppAuth({
      appId: gh.appId,
      privateKey: gh.appPrivateKey,
      installationId: Number(gh.installationId),
      request: minter.request,
      cache: createTokenCache(),
      log: octokitLog(log),
    });
    const octokit = await createOctokit({ baseUrl: gh.apiUrl, log });
    const b: Built = { octokit, auth, installationId: gh.installationId };
    octokit.hook.wrap('request', async (request, options) => {
      options.headers.authorization = `token ${(await mint(b, false)).token}`;
      try {
        return await request(options);
      } catch (err) {
        if (statusOf(err) !== 401) throw err;
        // Revoked or expired early: mint a fresh token once and retry.
        log.info(
          { installationId: b.installationId },
          'GitHub answered 401; refreshing the installation token',
        );
        options.headers.authorization = `token ${(await mint(b, true)).token}`;
        return request(options);
      }
    });
    return b;
  }

  async function mint(b: Built, refresh: boolean): Promise<InstallationToken> {
    let a: Awaited<ReturnType<typeof b.auth>>;
    try {
      a = await b.auth({ type: 'installation', refresh });
    } catch (err) {
      throw toGithubError(err, 'minting an installation token');
    }
    const t = a as unknown as InstallationToken & { createdAt: string };
    if (t.createdAt !== lastLoggedCreatedAt) {
      lastLoggedCreatedAt = t.createdAt;
      log.debug(
        {
          installationId: b.installationId,
          permissions: t.permissions,
          repositorySelection: t.repositorySelection,
          expiresAt: t.expiresAt,
        },
        'GitHub App installation token minted',
      );
    }
    return {
      token: t.token,
      expiresAt: t.expiresAt,
      permissions: t.permissions,
      repositorySelection: t.repositorySelection,
    };
  }

  function current(): Promise<Built> {
    built ??= build().catch((err: unknown) => {
      built = null;
      throw err;
    });
    return built;
  }

  return {
    /** Whether App id, private key and installation id are all set. */
    async configured(): Promise<boolean> {
      const gh = (await deps.settings.get()).github;
      return Boolean(gh.appId && gh.appPrivateKey && gh.installationId);
    },
    /** An Octokit authenticated as the installation (baseUrl = settings.github.apiUrl); 422 when unconfigured. */
    octokit: async (): Promise<Octokit> => (await current()).octokit,
    /** A valid installation token (cached; `refresh` forces a new one). Never log it. */
    installationToken: async (opts: { refresh?: boolean } = {}): Promise<InstallationToken> =>
      mint(await current(), opts.refresh ?? false),
    /** Onboarding check: mints a fresh token, lists one repository and compares the granted permissions. */
    async test(): Promise<GithubAppTestResult> {
      let b: Built;
      try {
        b = await current();
      } catch (err) {
        return { ok: false, permissions: {}, message: err instanceof AppError ? err.message : String(err) };
      }
      try {
        const t = await mint(b, true);
        const { data } = await b.octokit.request('GET /installation/repositories', { per_page: 1 });
        const missing = Object.entries(REQUIRED_PERMISSIONS).filter(
          ([name, level]) => !(t.permissions[name] === 'write' || (level === 'read' && t.permissions[name])),
        );
        if (missing.length > 0) {
          const list = missing.map(([name, level]) => `${name}:${level}`).join(', ');
          return { ok: false, permissions: t.permissions, message: `the App installation lacks ${list}` };
        }
        const scope = t.repositorySelection === 'all' ? 'all repositories' : 'selected repositories';
        const lacking = Object.keys(RECOMMENDED_PERMISSIONS).filter(
          (name) => t.permissions[name] !== 'write',
        );
        const note =
          lacking.length > 0
            ? `; without ${lacking.map((n) => `${n}:write`).join(', ')} no commit statuses are set`
            : '';
        return {
          ok: true,
          permissions: t.permissions,
          message: `installation ${b.installationId} works (${scope}, ${data.total_count} visible)${note}`,
        };
      } catch (err) {
        const message = err instanceof AppError ? err.message : `GitHub: ${githubSnippet(err)}`;
        return { ok: false, permissions: {}, message };
      }
    },
    /** Stop listening to settings changes. */
    close: () => {
      unsubscribe();
    },
  };
}

/** The GitHub App integration. */
export type GithubApp = ReturnType<typeof createGithubApp>;
