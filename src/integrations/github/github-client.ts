import type { Logger } from 'pino';
import { notFound } from '../../domain/errors.js';
import type { GithubApp } from './github-app.js';
import { statusOf, toCreateRepoError, toGithubError } from './github-errors.js';
import { type WaitOptions, waitForContent } from './wait-for-content.js';

/** A repository as the panel uses it. */
export interface GithubRepo {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  /** HTTPS clone URL (no credentials; pass the token to `cloneRepo`). */
  cloneUrl: string;
  htmlUrl: string;
  isTemplate: boolean;
}

/** The fields of GitHub's repository object that `toRepo` reads. */
export interface RawRepo {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string };
  private: boolean;
  description?: string | null;
  default_branch?: string;
  clone_url?: string;
  html_url: string;
  is_template?: boolean;
}

/** Map GitHub's repository object to ours. */
export const toRepo = (r: RawRepo): GithubRepo => ({
  id: r.id,
  owner: r.owner.login,
  name: r.name,
  fullName: r.full_name,
  private: r.private,
  description: r.description ?? null,
  defaultBranch: r.default_branch ?? 'main',
  cloneUrl: r.clone_url ?? `${r.html_url}.git`,
  htmlUrl: r.html_url,
  isTemplate: r.is_template ?? false,
});

/** Input of `generateFromTemplate`. */
export interface GenerateInput {
  templateOwner: string;
  templateRepo: string;
  owner: string;
  name: string;
  private: boolean;
  includeAllBranches?: boolean;
  description?: string;
}

/** A commit status (POST /repos/{owner}/{repo}/statuses/{sha}). */
export interface CommitStatusInput {
  owner: string;
  repo: string;
  sha: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  /** Where "Details" leads (the job's log page). */
  targetUrl: string | null;
  /** Short text GitHub shows next to the status (at most 140 characters). */
  description: string;
  /** Names the status: one per context per commit, a later one replaces it. */
  context: string;
}

/** REST operations of the template / deploy flow, authenticated as the App installation. */
export function createGithubClient(deps: { app: Pick<GithubApp, 'octokit'>; log: Logger }) {
  async function getRepo(owner: string, repo: string): Promise<GithubRepo> {
    const octokit = await deps.app.octokit();
    try {
      const { data } = await octokit.rest.repos.get({ owner, repo });
      return toRepo(data as RawRepo);
    } catch (err) {
      if (statusOf(err) === 404)
        throw notFound(`GitHub repository ${owner}/${repo} (or the App cannot see it)`);
      throw toGithubError(err, `reading ${owner}/${repo}`);
    }
  }

  return {
    getRepo,

    /** Whether `owner/name` exists and the installation can see it. */
    async repoExists(owner: string, name: string): Promise<boolean> {
      try {
        await getRepo(owner, name);
        return true;
      } catch (err) {
        if ((err as { code?: string }).code === 'NOT_FOUND') return false;
        throw err;
      }
    },

    /**
     * Create `owner/name` from a template (POST /repos/{o}/{r}/generate). GitHub returns before the
     * content is copied: call `waitForContent` before cloning. Name taken → 409 CONFLICT.
     */
    async generateFromTemplate(input: GenerateInput): Promise<GithubRepo> {
      const octokit = await deps.app.octokit();
      const fullName = `${input.owner}/${input.name}`;
      try {
        const { data } = await octokit.rest.repos.createUsingTemplate({
          template_owner: input.templateOwner,
          template_repo: input.templateRepo,
          owner: input.owner,
          name: input.name,
          private: input.private,
          include_all_branches: input.includeAllBranches ?? false,
          ...(input.description ? { description: input.description } : {}),
        });
        deps.log.info(
          { template: `${input.templateOwner}/${input.templateRepo}`, repo: fullName },
          'generated repository from template',
        );
        return toRepo(data as RawRepo);
      } catch (err) {
        throw toCreateRepoError(err, fullName);
      }
    },

    /**
     * Set a commit status; needs the App's "Commit statuses: write" permission. GitHub answers 403/404
     * without it: the AppError then says which permission is missing.
     */
    async createCommitStatus(input: CommitStatusInput): Promise<void> {
      const octokit = await deps.app.octokit();
      try {
        await octokit.rest.repos.createCommitStatus({
          owner: input.owner,
          repo: input.repo,
          sha: input.sha,
          state: input.state,
          description: input.description.slice(0, 140),
          context: input.context,
          ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
        });
      } catch (err) {
        const status = statusOf(err);
        if (status === 403 || status === 404) {
          throw toGithubError(
            err,
            `setting the commit status of ${input.owner}/${input.repo}@${input.sha.slice(0, 12)} (does the App have "Commit statuses: write"?)`,
          );
        }
        throw toGithubError(err, `setting the commit status of ${input.owner}/${input.repo}`);
      }
    },

    /** Wait until the generated repository has a commit (bounded; see wait-for-content.ts). */
    async waitForContent(owner: string, repo: string, opts: WaitOptions = {}) {
      return waitForContent(await deps.app.octokit(), owner, repo, opts);
    },
  };
}

/** The GitHub REST client of the template / deploy flow. */
export type GithubClient = ReturnType<typeof createGithubClient>;
