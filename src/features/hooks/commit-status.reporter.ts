import type { Logger } from 'pino';
import type { CommitStatusInput } from '../../integrations/github/github-client.js';
import type { CommitDeployState, CommitStatusReporter } from '../deploy/index.js';
import type { JobContext } from '../jobs/index.js';

/** A commit of a project's repository. */
export interface ProjectCommit {
  owner: string;
  name: string;
  commit: string;
  /** The project's hostname: the status context, so two projects of one repo keep separate statuses. */
  project: string;
}

/**
 * Commit statuses on GitHub for repo-backed deploys: pending when queued and while deploying, then
 * success or failure, each linking to the job's log page (`<public URL>/jobs/<id>`). A status that
 * cannot be set (no "Commit statuses: write" permission, GitHub down) is a warning, never a failure.
 */
export function createCommitStatusReporter(deps: {
  github: { createCommitStatus(input: CommitStatusInput): Promise<void> };
  /** Whether the GitHub App is set up at all (no App: no statuses, no warnings). */
  configured: () => Promise<boolean>;
  publicUrl: string;
  log: Logger;
}): CommitStatusReporter & {
  /** Outside a job (when a deploy is queued or dropped): problems go to the panel's log. */
  outside(target: ProjectCommit, jobId: string, state: CommitDeployState, description: string): Promise<void>;
} {
  const input = (t: ProjectCommit, jobId: string, state: CommitDeployState, description: string) => ({
    owner: t.owner,
    repo: t.name,
    sha: t.commit,
    state,
    targetUrl: `${deps.publicUrl}/jobs/${jobId}`,
    description,
    context: `warp-panel/${t.project}`,
  });

  // Statuses of one commit and context are sent in call order: a late "queued" never overwrites the
  // "success" of the deploy that already ran. The chain entry is made synchronously, when called.
  const chains = new Map<string, Promise<void>>();
  function inOrder(t: ProjectCommit, send: () => Promise<void>): Promise<void> {
    const key = `${t.owner}/${t.name}@${t.commit}#${t.project}`;
    const next = (chains.get(key) ?? Promise.resolve()).then(send);
    chains.set(key, next);
    void next.finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
    return next;
  }
  const send = async (t: ProjectCommit, jobId: string, state: CommitDeployState, text: string) => {
    if (!(await deps.configured().catch(() => false))) return false;
    await deps.github.createCommitStatus(input(t, jobId, state, text));
    return true;
  };

  return {
    report(ctx: JobContext, target, state, description) {
      return inOrder(target, async () => {
        try {
          if (await send(target, ctx.job.id, state, description))
            ctx.log.info(`commit status of ${target.commit.slice(0, 12)} on GitHub: ${state}`);
        } catch (err) {
          ctx.log.warn(`could not set the commit status on GitHub: ${(err as Error).message}`);
        }
      });
    },
    outside(target, jobId, state, description) {
      return inOrder(target, async () => {
        try {
          await send(target, jobId, state, description);
        } catch (err) {
          deps.log.warn({ err: (err as Error).message, jobId }, 'could not set a commit status on GitHub');
        }
      });
    },
  };
}

/** The commit status reporter. */
export type CommitStatuses = ReturnType<typeof createCommitStatusReporter>;
