import { z } from 'zod';
import type { JobRow } from '../../db/schema.js';
import { LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import { defineJob, type JobDefinition } from '../jobs/index.js';
import { notifyFailure, runBackup } from './backup.run.js';
import { type BackupsDeps, describeError } from './backup-deps.js';
import { runRestore } from './restore.run.js';
import { runVerify } from './verify.run.js';
import { HELPER_LABEL } from './volume-transfer.js';

/** Job types of the backups feature. */
export const BACKUP_JOB = 'backup';
export const RESTORE_JOB = 'backup_restore';
export const VERIFY_JOB = 'backup_verify';

const names = z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/)).max(50);

/** Something job types can be registered with (the jobs service). */
interface JobTypeRegistry {
  register<S extends z.ZodType>(def: JobDefinition<S>): void;
}

/** Register the backup, restore and restore-check jobs. */
export function registerBackupJobs(jobs: JobTypeRegistry, deps: BackupsDeps): void {
  jobs.register(
    defineJob({
      type: BACKUP_JOB,
      input: z.object({ projectId: z.uuid(), reason: z.enum(['manual', 'schedule']) }).strict(),
      handler: (ctx) => runBackup(deps, ctx, ctx.input.projectId, ctx.input.reason),
    }),
  );
  jobs.register(
    defineJob({
      type: RESTORE_JOB,
      input: z
        .object({
          projectId: z.uuid(),
          runId: z.uuid(),
          into: z.enum(['project', 'new']),
          volumes: names.optional(),
          databases: names.optional(),
        })
        .strict(),
      handler: (ctx) => runRestore(deps, ctx, ctx.input),
    }),
  );
  jobs.register(
    defineJob({
      type: VERIFY_JOB,
      input: z.object({ projectId: z.uuid() }).strict(),
      handler: (ctx) => runVerify(deps, ctx, ctx.input.projectId),
    }),
  );
}

/**
 * After a crash, with the jobs the runner marked interrupted: their backup runs are failed (loudly,
 * like any failed backup), helper containers they left are removed and app containers a backup had
 * paused (for a consistent SQLite copy) run again.
 */
export async function recoverInterruptedBackups(deps: BackupsDeps, interrupted: JobRow[]): Promise<void> {
  const runs = await deps.repo.listRunningByJobs(interrupted.map((j) => j.id));
  const now = deps.clock.now().toISOString();
  for (const run of runs) {
    const message = 'the panel stopped while this backup was running';
    await deps.repo.updateRun(run.id, { status: 'failed', error: message, finished_at: now });
    await deps.repo.updatePolicy(run.project_id, { last_status: 'failed', last_error: message });
    const project = await deps.projects.load(run.project_id).catch(() => null);
    await notifyFailure(deps, {
      kind: 'backup',
      projectId: run.project_id,
      projectName: project?.name ?? run.project_id,
      status: 'failed',
      message,
      runId: run.id,
      jobId: run.job_id ?? '',
      at: now,
    });
  }
  const projects = new Set(interrupted.map((j) => j.project_id).filter((p): p is string => p !== null));
  for (const projectId of projects) {
    try {
      await deps.docker.call('clean up backup helpers', async (d) => {
        const label = [`${LABEL_PROJECT}=${projectId}`];
        for (const c of await d.listContainers({
          all: true,
          filters: { label: [...label, `${HELPER_LABEL}=true`] },
        }))
          await d.getContainer(c.Id).remove({ force: true });
      });
      const { items } = await deps.containers.list({ projectId, state: 'all' });
      for (const c of items.filter((x) => x.state === 'paused')) {
        await deps.docker.call('unpause container', (d) => d.getContainer(c.id).unpause());
      }
    } catch (err) {
      deps.log.warn({ projectId, err: describeError(err) }, 'backup recovery could not clean up containers');
    }
  }
}
