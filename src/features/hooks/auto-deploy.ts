import type { ProjectRow } from '../../db/schema.js';
import { createMutex } from '../../lib/mutex.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { HookDeliveriesRepository } from '../../repositories/hook-deliveries.repository.js';
import type { Job } from '../jobs/index.js';
import type { CommitStatuses } from './commit-status.reporter.js';

/** What triggered a deploy, for its delivery row and the log line of a deploy it replaces. */
export interface AutoDeployTarget {
  /** Exactly this commit; absent: the head of `branch` (or the tracked branch). */
  commit?: string | undefined;
  branch?: string | undefined;
  /** "push to main", "deploy hook": said in the log of a queued deploy this one replaces. */
  cause: string;
}

/** What happened: `deployed` when nothing else of the project was queued or running, else `queued`. */
export interface AutoDeployResult {
  result: 'deployed' | 'queued';
  job: Job;
  /** Older automatic deploys dropped from the queue in favour of this one. */
  replaced: string[];
}

const short = (sha: string | undefined) => (sha ? sha.slice(0, 12) : 'the branch head');

/**
 * Automatic deploys (pushes, deploy hooks) of one project queue at most one follow-up: a new one drops
 * every older automatic deploy still waiting in the queue (its log says why, its commit status becomes
 * `error`), so three quick pushes deploy at most twice and the newest commit ends up live. Deploys
 * started by people are never dropped. One at a time, so two deliveries never both keep a follow-up.
 */
export function createAutoDeployer(deps: {
  deliveries: Pick<HookDeliveriesRepository, 'queuedFor' | 'update'>;
  projects: {
    enqueueFor(
      ctx: RequestContext,
      id: string,
      action: string,
      job: { type: string; input: Record<string, unknown> },
    ): Promise<{ job: Job }>;
  };
  jobs: {
    dropQueued(ctx: RequestContext, id: string, reason: string): Promise<boolean>;
    list(q: { projectId: string; status: 'queued' | 'running'; limit: number }): Promise<{ items: Job[] }>;
  };
  statuses: Pick<CommitStatuses, 'outside'>;
}) {
  const mutex = createMutex();
  const commitOf = (row: ProjectRow, sha: string) => ({
    owner: row.repo_owner!,
    name: row.repo_name!,
    commit: sha,
    project: row.hostname ?? row.subdomain,
  });

  /** Drop the project's older automatic deploys still queued; their commits, to mark superseded. */
  async function dropOlder(ctx: RequestContext, row: ProjectRow, target: AutoDeployTarget) {
    const dropped: { jobId: string; commit: string | null }[] = [];
    for (const waiting of await deps.deliveries.queuedFor(row.id)) {
      const jobId = waiting.job_id!;
      const reason = `Dropped before it started: a newer ${target.cause} (${short(target.commit)}) deploys instead`;
      if (!(await deps.jobs.dropQueued(ctx, jobId, reason))) continue;
      dropped.push({ jobId, commit: waiting.commit_sha });
      await deps.deliveries.update(waiting.id, {
        result: 'ignored',
        reason: `superseded by a newer ${target.cause} (${short(target.commit)}) before its deploy started`,
      });
    }
    return dropped;
  }

  return {
    /**
     * Queue a redeploy of `row` for this target, replacing older automatic ones still queued. `record`
     * stores the delivery row with the job id before the next trigger looks for queued ones.
     */
    async trigger(
      ctx: RequestContext,
      row: ProjectRow,
      target: AutoDeployTarget,
      record: (r: AutoDeployResult) => Promise<void>,
    ): Promise<AutoDeployResult> {
      const { outcome, sent } = await mutex.run(async () => {
        const dropped = await dropOlder(ctx, row, target);
        const busy = async (status: 'queued' | 'running') =>
          (await deps.jobs.list({ projectId: row.id, status, limit: 1 })).items.length > 0;
        const waits = (await busy('running')) || (await busy('queued'));
        const input: Record<string, unknown> = {};
        if (target.commit) input.commit = target.commit;
        if (target.branch) input.branch = target.branch;
        const { job } = await deps.projects.enqueueFor(ctx, row.id, 'redeploy', { type: 'redeploy', input });
        const outcome: AutoDeployResult = {
          result: waits ? 'queued' : 'deployed',
          job,
          replaced: dropped.map((d) => d.jobId),
        };
        // Started (not awaited) here, so they are sent before anything the job itself reports.
        const sent: Promise<void>[] = [];
        if (row.repo_owner && row.repo_name) {
          for (const d of dropped.filter((x) => x.commit)) {
            const text = `Superseded by ${short(target.commit)}`;
            sent.push(deps.statuses.outside(commitOf(row, d.commit!), d.jobId, 'error', text));
          }
          if (target.commit) {
            const text = outcome.result === 'queued' ? 'Queued behind a running deploy' : 'Queued';
            sent.push(deps.statuses.outside(commitOf(row, target.commit), job.id, 'pending', text));
          }
        }
        await record(outcome);
        return { outcome, sent };
      });
      // Not awaited: GitHub gives a webhook 10 s, and a slow status call never holds up a delivery.
      void Promise.all(sent);
      return outcome;
    },
  };
}

/** The automatic deployer. */
export type AutoDeployer = ReturnType<typeof createAutoDeployer>;
