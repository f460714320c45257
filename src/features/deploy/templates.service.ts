import type { GithubApp } from '../../integrations/github/github-app.js';
import { toGithubError } from '../../integrations/github/github-errors.js';
import type { SettingsService } from '../settings/index.js';

/** A template repository offered to "new project from template". */
export interface TemplateItem {
  fullName: string;
  description: string | null;
  private: boolean;
  defaultBranch: string;
}

/** How long a template list is reused (GitHub rate limits; the list rarely changes). */
export const TEMPLATES_TTL_MS = 30_000;

/**
 * Allow-listed `owner/repo` that the App installation can see and that are templates. Cached briefly;
 * the cache is dropped when settings change.
 */
export function createTemplatesService(deps: {
  settings: Pick<SettingsService, 'get' | 'onChange'>;
  app: Pick<GithubApp, 'octokit'>;
  ttlMs?: number;
  now?: () => number;
}) {
  const ttl = deps.ttlMs ?? TEMPLATES_TTL_MS;
  const now = deps.now ?? Date.now;
  let cached: { at: number; items: Promise<TemplateItem[]> } | null = null;
  const unsubscribe = deps.settings.onChange(() => {
    cached = null;
  });

  async function load(): Promise<TemplateItem[]> {
    const octokit = await deps.app.octokit();
    const allowlist = (await deps.settings.get()).templates.allowlist;
    if (allowlist.length === 0) return [];
    const wanted = new Map(allowlist.map((name, i) => [name.toLowerCase(), i]));
    let repos: Awaited<
      ReturnType<typeof octokit.rest.apps.listReposAccessibleToInstallation>
    >['data']['repositories'];
    try {
      repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    } catch (err) {
      throw toGithubError(err, 'listing the repositories of the App installation');
    }
    return repos
      .filter((r) => r.is_template === true && wanted.has(r.full_name.toLowerCase()))
      .sort(
        (a, b) => (wanted.get(a.full_name.toLowerCase()) ?? 0) - (wanted.get(b.full_name.toLowerCase()) ?? 0),
      )
      .map((r) => ({
        fullName: r.full_name,
        description: r.description ?? null,
        private: r.private,
        defaultBranch: r.default_branch ?? 'main',
      }));
  }

  return {
    /** The offered templates (422 when the App is not configured, 502 when GitHub fails). */
    list(): Promise<TemplateItem[]> {
      if (cached && now() - cached.at < ttl) return cached.items;
      const entry = { at: now(), items: load() };
      cached = entry;
      // Failures are not cached.
      entry.items.catch(() => {
        if (cached === entry) cached = null;
      });
      return entry.items;
    },
    /** Forget the cached list (the App's installation changed: repositories added or removed). */
    invalidate: () => {
      cached = null;
    },
    close: () => {
      unsubscribe();
    },
  };
}

/** The templates service. */
export type TemplatesService = ReturnType<typeof createTemplatesService>;
