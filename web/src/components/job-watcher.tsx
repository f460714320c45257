import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { keys, queries } from '../api/queries.js';
import type { Job, Project } from '../api/types.js';
import { isFinished, unwatchJob, useWatchedJobs } from '../lib/job-watch.js';
import { jobTitle } from '../lib/job-words.js';
import { showToast, type ToastLink } from '../lib/toasts.js';

/** Job types after which the project's address is worth opening. */
const OPENS =
  /^(docker_run|docker_compose_up|template_create|forward|redeploy|project_start|project_restart)$/;

const VERDICT: Record<string, string> = {
  succeeded: 'done',
  failed: 'failed',
  canceled: 'canceled',
  interrupted: 'interrupted (the panel restarted)',
};

/** Tell the user a job they started has ended: a toast with its result and links, wherever they are. */
async function announce(job: Job, project: Project | null): Promise<void> {
  const links: ToastLink[] = [{ label: 'View log', to: `/jobs/${job.id}` }];
  if (job.status === 'succeeded' && project?.url && OPENS.test(job.type)) {
    links.unshift({ label: `Open ${project.url}`, href: project.url });
  }
  showToast({
    tone: job.status === 'succeeded' ? 'ok' : job.status === 'canceled' ? 'info' : 'bad',
    title: `${jobTitle(job, project?.name)}: ${VERDICT[job.status] ?? job.status}`,
    body: job.status === 'failed' ? (job.error?.message ?? undefined) : undefined,
    links,
  });
}

/**
 * Follows the jobs this tab started (lib/job-watch) until they end. Then: fresh project, container and job
 * lists (a status that changed shows at once), and a toast — unless that job's own page is open.
 */
export function JobWatcher({ path }: { path: string }) {
  const qc = useQueryClient();
  const ids = useWatchedJobs();
  const results = useQueries({
    queries: ids.map((id) => ({ ...queries.job(id), refetchInterval: 2_000, retry: 1 })),
  });
  const finished = results
    .map((r, i) => ({ job: r.data, id: ids[i] as string, gone: r.isError }))
    .filter((r) => r.gone || (r.job && isFinished(r.job.status)));
  const signature = finished.map((f) => f.id).join(',');

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the set of ended jobs changes
  useEffect(() => {
    for (const { id, job } of finished) {
      unwatchJob(id);
      if (!job) continue;
      void qc.invalidateQueries({ queryKey: keys.projects });
      void qc.invalidateQueries({ queryKey: keys.jobs.all });
      void qc.invalidateQueries({ queryKey: keys.containers.all });
      if (job.projectId) void qc.invalidateQueries({ queryKey: keys.project(job.projectId) });
      if (path === `/jobs/${id}`) continue;
      const project = job.projectId
        ? qc.fetchQuery(queries.project(job.projectId)).catch(() => null)
        : Promise.resolve(null);
      void project.then((p) => announce(job, p));
    }
  }, [signature]);
  return null;
}
