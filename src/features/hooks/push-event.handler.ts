import type { HookDeliveryRow, ProjectRow } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import type { PushEvent } from '../../integrations/github/webhook-events.js';
import { parseJson } from '../../lib/json.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { HookDeliveriesRepository } from '../../repositories/hook-deliveries.repository.js';
import type { AutoDeployer } from './auto-deploy.js';
import type { DeliveriesService } from './deliveries.service.js';
import { hookContext } from './hook-context.js';

/** What handling a push needs. */
export interface PushDeps {
  autoDeploy: Pick<AutoDeployer, 'trigger'>;
  deliveries: Pick<DeliveriesService, 'row'>;
  repo: Pick<HookDeliveriesRepository, 'insert' | 'update'>;
}

/** What one project made of a delivery. */
export interface Outcome {
  projectId: string | null;
  result: HookDeliveryRow['result'];
  reason: string | null;
  jobId: string | null;
}

const COMMIT = /^[0-9a-f]{40}$/;
const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

/** What the delivery row says about a deploy it queued. */
export function queuedReason(r: { result: 'deployed' | 'queued'; replaced: string[] }): string | null {
  const parts = [
    r.result === 'queued' ? "waits for the project's current deploy" : null,
    r.replaced.length > 0 ? `replaces ${r.replaced.length} older queued deploy(s)` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Why this push does not deploy this project, or null when it does. */
export function ignoreReason(project: ProjectRow, push: PushEvent): string | null {
  const tracked = project.branch ?? push.defaultBranch;
  if (push.deleted) return push.branch ? `branch ${push.branch} was deleted` : `${push.ref} was deleted`;
  if (!push.branch) {
    return push.ref.startsWith('refs/tags/')
      ? `tag ${push.ref.slice('refs/tags/'.length)}: only pushes to a branch deploy`
      : `${push.ref} is not a branch`;
  }
  if (!tracked) return 'the repository did not say its default branch; set the project branch';
  if (project.kind === 'template' && !parseJson<{ generated?: boolean }>(project.spec, {}).generated)
    return 'the project has not generated its repository yet';
  if (push.branch !== tracked) return `push to ${push.branch}; the project tracks ${tracked}`;
  if (project.auto_deploy !== 1) return 'auto-deploy is off for this project';
  if (!COMMIT.test(push.after)) return 'the push names no commit id';
  return null;
}

/**
 * A verified push: each live project made from this repository either deploys exactly the pushed commit
 * (`after`) or records why not. The delivery's first row (`claim`, holding its dedupe key) gets the first
 * project's outcome; further projects get rows of their own.
 */
export async function handlePush(
  deps: PushDeps,
  base: RequestContext,
  claim: HookDeliveryRow,
  push: PushEvent,
  projects: ProjectRow[],
): Promise<Outcome[]> {
  const fullName = `${push.owner}/${push.repo}`;
  const fields = {
    repo: fullName,
    ref: push.ref,
    commit_sha: COMMIT.test(push.after) ? push.after : null,
  };
  const matching = projects.filter(
    (p) => p.status !== 'removed' && same(p.repo_owner, push.owner) && same(p.repo_name, push.repo),
  );
  if (matching.length === 0) {
    const reason = `no project is deployed from ${fullName}`;
    await deps.repo.update(claim.id, { ...fields, reason });
    return [{ projectId: null, result: 'ignored', reason, jobId: null }];
  }
  const ctx = hookContext(push.sender ? `github:${push.sender}` : 'github', base);
  const outcomes: Outcome[] = [];
  for (const [i, project] of matching.entries()) {
    // The claim row holds the first outcome; the others get a row each.
    const write = async (o: Outcome) => {
      const patch = {
        ...fields,
        result: o.result,
        reason: o.reason,
        project_id: project.id,
        job_id: o.jobId,
      };
      if (i === 0) await deps.repo.update(claim.id, patch);
      else
        await deps.repo.insert(
          deps.deliveries.row({ source: 'github', event: 'push', delivery_id: claim.delivery_id, ...patch }),
        );
      outcomes.push(o);
    };
    const reason = ignoreReason(project, push);
    if (reason) {
      await write({ projectId: project.id, result: 'ignored', reason, jobId: null });
      continue;
    }
    try {
      await deps.autoDeploy.trigger(
        ctx,
        project,
        { commit: push.after, branch: push.branch!, cause: `push to ${push.branch}` },
        (r) => write({ projectId: project.id, result: r.result, reason: queuedReason(r), jobId: r.job.id }),
      );
    } catch (err) {
      // E.g. the project was removed meanwhile: recorded, and the other projects still deploy.
      if (!(err instanceof AppError)) throw err;
      await write({ projectId: project.id, result: 'ignored', reason: err.message, jobId: null });
    }
  }
  return outcomes;
}
