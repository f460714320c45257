import fs from 'node:fs';
import path from 'node:path';
import type { ProjectRow } from '../../db/schema.js';
import { validationError } from '../../domain/errors.js';
import { validateRelativePath } from '../../domain/relative-path.js';
import { checkoutCommit } from '../../integrations/git/git-checkout.js';
import { cloneRepo, fetchAndReset, headCommit } from '../../integrations/git/git-clone.js';
import type { GithubApp } from '../../integrations/github/github-app.js';
import type { GithubClient } from '../../integrations/github/github-client.js';
import type { JobContext } from '../jobs/index.js';

/** GitHub access the repo-backed flows use. */
export interface GithubDeps {
  app: Pick<GithubApp, 'installationToken'>;
  client: Pick<GithubClient, 'getRepo' | 'repoExists' | 'generateFromTemplate' | 'waitForContent'>;
}

/** A folder name under the repos root for a new clone: the repo name, `-2`, `-3`… when taken. */
export function freeCloneDir(reposRoot: string, name: string, takenPaths: ReadonlySet<string>): string {
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`;
    if (!takenPaths.has(candidate) && !fs.existsSync(path.join(reposRoot, candidate))) return candidate;
  }
  throw validationError('no free folder name', [{ path: 'name', message: `too many folders named ${name}` }]);
}

/** What a deploy checks out: a branch's head (default: the project's branch, else the repo's default) or one commit. */
export interface SyncTarget {
  branch?: string | undefined;
  /** Exactly this commit (40 hex), e.g. the `after` of a push. */
  commit?: string | undefined;
}

/**
 * Bring the project's clone up to date: clone (shallow) when the folder is new, else fetch and reset to
 * the tracked branch — or to exactly `target.commit`. The installation token travels in the child's
 * environment only (never the URL, argv or the log) and is masked in the job log. Resolves to the
 * repository, the branch and the commit now checked out.
 */
export async function syncRepo(
  github: GithubDeps,
  ctx: JobContext,
  row: ProjectRow,
  reposRoot: string,
  target: SyncTarget = {},
): Promise<{ owner: string; name: string; branch: string; commit: string }> {
  const owner = row.repo_owner!;
  const name = row.repo_name!;
  const dest = path.join(reposRoot, validateRelativePath(row.path ?? ''));
  const repo = await ctx.step(`Looking up ${owner}/${name}`, () => github.client.getRepo(owner, name));
  const { token } = await github.app.installationToken();
  ctx.addSecret(token);
  const branch = target.branch ?? row.branch ?? repo.defaultBranch;
  const common = { token, run: ctx.run, signal: ctx.signal, addSecret: ctx.addSecret, branch };
  const what = target.commit ? `${branch} at ${target.commit.slice(0, 12)}` : branch;
  if (fs.existsSync(path.join(dest, '.git'))) {
    await ctx.step(`Fetching ${owner}/${name} (${what})`, () =>
      fetchAndReset({ ...common, dest, ...(target.commit ? { commit: target.commit } : {}) }),
    );
  } else {
    await ctx.step(`Cloning ${owner}/${name} (${what})`, async () => {
      await cloneRepo({ ...common, url: repo.cloneUrl, dest });
      if (target.commit) await fetchAndReset({ ...common, dest, commit: target.commit });
    });
  }
  const commit = await headCommit(ctx.run, dest);
  ctx.log.info(`checked out ${commit}`);
  return { owner, name, branch, commit };
}

/** A rollback of a repo project: its clone at exactly the release's commit (fetched by id if it is gone). */
export async function syncToCommit(
  github: GithubDeps,
  ctx: JobContext,
  row: ProjectRow,
  reposRoot: string,
  commit: string,
): Promise<void> {
  const dest = path.join(reposRoot, validateRelativePath(row.path ?? ''));
  const { token } = await github.app.installationToken();
  ctx.addSecret(token);
  await ctx.step(`Checking out ${row.repo_owner}/${row.repo_name} at ${commit.slice(0, 12)}`, async () => {
    const how = await checkoutCommit({
      dest,
      commit,
      token,
      run: ctx.run,
      addSecret: ctx.addSecret,
      signal: ctx.signal,
    });
    ctx.log.info(how === 'local' ? 'the commit was still in the clone' : 'fetched the commit from origin');
  });
}
