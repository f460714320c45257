import type { ProjectRow } from '../../db/schema.js';
import { nextFreeRepoName } from '../../domain/repo-name.js';
import { parseJson } from '../../lib/json.js';
import type { JobContext } from '../jobs/index.js';
import { deployCompose } from './compose.deploy.js';
import type { DeployDeps } from './deploy-deps.js';
import { hasContainers } from './project-state.js';
import type { GithubDeps, SyncTarget } from './repo-sync.js';
import { syncRepo } from './repo-sync.js';

/** What a template project keeps in its spec until the repo exists. */
export interface TemplateSpec {
  template?: { owner: string; repo: string; private: boolean; includeAllBranches: boolean };
  generated?: boolean;
}

/**
 * From a template: generate the repo with the App installation token (a free name: `-2`, `-3`… when
 * taken), wait until GitHub has copied its content, clone it, then the compose deploy. Each step is
 * idempotent: a retry skips a generation already done and fetches instead of cloning again.
 */
export async function deployFromTemplate(
  deps: DeployDeps & { github: GithubDeps },
  ctx: JobContext,
  row: ProjectRow,
  target: SyncTarget = {},
): Promise<unknown> {
  const spec = parseJson<TemplateSpec>(row.spec, {});
  const owner = row.repo_owner!;
  let name = row.repo_name!;
  const { reposRoot } = await deps.settings.get();
  try {
    if (!spec.generated && spec.template) {
      const t = spec.template;
      name = await ctx.step(`Choosing a free name for ${owner}/${name}`, async () => {
        const taken = new Set<string>();
        let candidate = name;
        while (await deps.github.client.repoExists(owner, candidate)) {
          taken.add(candidate);
          candidate = nextFreeRepoName(row.repo_name!, taken);
        }
        return candidate;
      });
      const repo = await ctx.step(`Generating ${owner}/${name} from ${t.owner}/${t.repo}`, () =>
        deps.github.client.generateFromTemplate({
          templateOwner: t.owner,
          templateRepo: t.repo,
          owner,
          name,
          private: t.private,
          includeAllBranches: t.includeAllBranches,
        }),
      );
      await deps.projectsRepo.update(row.id, {
        repo_name: repo.name,
        repo_url: repo.htmlUrl,
        spec: JSON.stringify({ ...spec, generated: true }),
        updated_at: deps.clock.now().toISOString(),
      });
      ctx.log.info(`created ${repo.htmlUrl}`);
      await ctx.step('Waiting for GitHub to copy the template', () =>
        deps.github.client.waitForContent(owner, repo.name, { signal: ctx.signal }),
      );
    }
    const current = await deps.projects.load(row.id);
    const synced = await syncRepo(deps.github, ctx, current, reposRoot, target);
    return await deployReporting(deps, ctx, current, synced, async () =>
      deployCompose(deps, ctx, await deps.projects.load(row.id)),
    );
  } catch (error) {
    const now = await deps.projects.load(row.id).catch(() => null);
    if (now && now.status !== 'failed') {
      await deps.projectsRepo.update(row.id, {
        status: 'failed',
        updated_at: deps.clock.now().toISOString(),
      });
    }
    throw error;
  }
}

/** Run the compose deploy of a checked-out commit, with its commit status pending, then success or failure. */
async function deployReporting(
  deps: DeployDeps,
  ctx: JobContext,
  row: ProjectRow,
  synced: { owner: string; name: string; commit: string },
  run: () => Promise<unknown>,
): Promise<unknown> {
  const repo = { ...synced, project: row.hostname ?? row.subdomain };
  await deps.commitStatus?.report(ctx, repo, 'pending', 'Deploying');
  try {
    const result = await run();
    await deps.commitStatus?.report(ctx, repo, 'success', 'Deployed');
    return result;
  } catch (error) {
    const state = ctx.signal.aborted ? 'error' : 'failure';
    await deps.commitStatus?.report(
      ctx,
      repo,
      state,
      state === 'error' ? 'Deploy canceled' : 'Deploy failed',
    );
    throw error;
  }
}

/**
 * A repo-backed compose project (template or existing repo): fetch or clone the tracked branch (or
 * exactly `target.commit`), then the compose deploy, reported as the commit's status.
 */
export async function deployRepoBacked(
  deps: DeployDeps & { github: GithubDeps },
  ctx: JobContext,
  row: ProjectRow,
  target: SyncTarget = {},
): Promise<unknown> {
  if (row.kind === 'template' && !parseJson<TemplateSpec>(row.spec, {}).generated) {
    return deployFromTemplate(deps, ctx, row, target);
  }
  const { reposRoot } = await deps.settings.get();
  let synced: Awaited<ReturnType<typeof syncRepo>>;
  try {
    synced = await syncRepo(deps.github, ctx, row, reposRoot, target);
  } catch (error) {
    // A redeploy whose fetch failed leaves the running app as it was.
    const kept = hasContainers(row.status) ? row.status : 'failed';
    await deps.projectsRepo.update(row.id, { status: kept, updated_at: deps.clock.now().toISOString() });
    if (target.commit && row.repo_owner && row.repo_name) {
      const repo = {
        owner: row.repo_owner,
        name: row.repo_name,
        commit: target.commit,
        project: row.hostname ?? row.subdomain,
      };
      await deps.commitStatus?.report(ctx, repo, 'failure', 'The commit could not be fetched');
    }
    throw error;
  }
  return deployReporting(deps, ctx, row, synced, async () =>
    deployCompose(deps, ctx, await deps.projects.load(row.id)),
  );
}
