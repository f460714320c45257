import type { ProjectRow } from '../../db/schema.js';
import { nextFreeRepoName } from '../../domain/repo-name.js';
import { parseJson } from '../../lib/json.js';
import type { JobContext } from '../jobs/index.js';
import { deployCompose } from './compose.deploy.js';
import type { DeployDeps } from './deploy-deps.js';
import { hasContainers } from './project-state.js';
import type { GithubDeps } from './repo-sync.js';
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
    await syncRepo(deps.github, ctx, current, reposRoot);
    return deployCompose(deps, ctx, await deps.projects.load(row.id));
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

/** A repo-backed compose project (template or existing repo): fetch or clone, then the compose deploy. */
export async function deployRepoBacked(
  deps: DeployDeps & { github: GithubDeps },
  ctx: JobContext,
  row: ProjectRow,
): Promise<unknown> {
  if (row.kind === 'template' && !parseJson<TemplateSpec>(row.spec, {}).generated) {
    return deployFromTemplate(deps, ctx, row);
  }
  const { reposRoot } = await deps.settings.get();
  try {
    await syncRepo(deps.github, ctx, row, reposRoot);
  } catch (error) {
    // A redeploy whose fetch failed leaves the running app as it was.
    const kept = hasContainers(row.status) ? row.status : 'failed';
    await deps.projectsRepo.update(row.id, { status: kept, updated_at: deps.clock.now().toISOString() });
    throw error;
  }
  return deployCompose(deps, ctx, await deps.projects.load(row.id));
}
