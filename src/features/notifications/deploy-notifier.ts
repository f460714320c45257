import type { JobRow } from '../../db/schema.js';
import { parseJson } from '../../lib/json.js';
import type { NotificationInput } from './notification-events.js';

const LOG_TAIL = 15;

/** Readable duration of a job. */
function took(row: JobRow): string | null {
  if (!row.started_at || !row.finished_at) return null;
  const s = Math.round((Date.parse(row.finished_at) - Date.parse(row.started_at)) / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/**
 * Deploy outcomes → `deploy.succeeded` / `deploy.failed` (interrupted counts as failed), with the
 * job's last log lines on failure. Fed by the jobs feature's finished-job hook; jobs of other types
 * are ignored.
 */
export function createDeployNotifier(deps: {
  deployTypes: ReadonlySet<string>;
  project: (id: string) => Promise<{ name: string; hostname: string | null } | null>;
  lastLines: (jobId: string, n: number) => Promise<string[]>;
  publish: (input: NotificationInput) => Promise<unknown>;
}) {
  return {
    async finished(row: JobRow): Promise<void> {
      if (!deps.deployTypes.has(row.type) || !row.project_id) return;
      if (row.status !== 'succeeded' && row.status !== 'failed' && row.status !== 'interrupted') return;
      const project = await deps.project(row.project_id);
      const name = project?.name ?? row.project_id;
      const duration = took(row);
      const details = { jobId: row.id, jobType: row.type, status: row.status, actor: row.actor };
      if (row.status === 'succeeded') {
        await deps.publish({
          event: 'deploy.succeeded',
          title: `Deployed: ${name}`,
          message: `${name} deployed (${row.type}${duration ? `, ${duration}` : ''})${project?.hostname ? ` and is live at https://${project.hostname}` : ''}.`,
          projectId: row.project_id,
          details,
          linkPath: `/jobs/${row.id}`,
          groupKey: `deploy:${row.id}`,
        });
        return;
      }
      const error = parseJson<{ code?: string; message?: string } | null>(row.error, null);
      await deps.publish({
        event: 'deploy.failed',
        title: `Deploy failed: ${name}`,
        message: `The ${row.type} job of ${name} ${row.status === 'interrupted' ? 'was interrupted' : 'failed'}${duration ? ` after ${duration}` : ''}: ${error?.message ?? 'no reason recorded'}.`,
        projectId: row.project_id,
        details: { ...details, error },
        logLines: await deps.lastLines(row.id, LOG_TAIL).catch(() => []),
        linkPath: `/jobs/${row.id}`,
        groupKey: `deploy:${row.id}`,
      });
    },
  };
}
