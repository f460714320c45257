import type { JobRow } from '../../db/schema.js';
import { type ErrorDetail, preconditionFailed, validationError } from '../../domain/errors.js';
import { repositoryLocation } from '../../integrations/restic/restic-target.js';
import type { Page } from '../../lib/paging.js';
import { type RequestContext, systemContext } from '../../lib/request-context.js';
import { randomToken } from '../../lib/tokens.js';
import type { AuditService } from '../audit/index.js';
import type { Job, JobContext } from '../jobs/index.js';
import { runBackup } from './backup.run.js';
import type { BackupsDeps } from './backup-deps.js';
import { openTarget } from './backup-policy.store.js';
import type { BackupScheduler, ScheduledWork } from './backup-scheduler.js';
import { restorableRun } from './backup-snapshots.js';
import { defaultPolicyView, isFailing, toBackupView, toPolicyView } from './backup-views.js';
import { BACKUP_JOB, RESTORE_JOB, VERIFY_JOB } from './backups.jobs.js';
import type { BackupPolicyBody, BackupPolicyView, BackupView, RestoreBody } from './backups.schemas.js';
import { databaseAccess } from './database-engines.js';
import { containerOf, projectScope } from './project-scope.js';
import { pickItems } from './restore.run.js';

/** The part of the jobs service backups use. */
export interface BackupJobs {
  enqueue(
    ctx: RequestContext,
    type: string,
    input: unknown,
    opts: { projectId: string | null },
  ): Promise<Job>;
  list(q: {
    projectId?: string;
    type?: string;
    status?: JobRow['status'];
    limit: number;
  }): Promise<Page<Job>>;
}

/** Policies, runs on demand and on schedule, the list of backups, restores and the dashboard's status. */
export function createBackupsService(
  deps: BackupsDeps & { jobs: BackupJobs; audit: AuditService; scheduler: () => BackupScheduler | null },
) {
  async function checkScope(projectId: string, body: BackupPolicyBody): Promise<void> {
    const scope = await projectScope(deps, projectId);
    const details: ErrorDetail[] = [];
    body.volumes.forEach((v, i) => {
      if (!scope.volumes.includes(v)) {
        const known = scope.volumes.join(', ') || 'none';
        details.push({
          path: `volumes.${i}`,
          message: `not a volume of this project (its volumes: ${known})`,
        });
      }
    });
    body.databases.forEach((s, i) => {
      const c = containerOf(scope, s);
      const problem = c ? databaseAccess(c.image, c.env) : 'no service of this project has this name';
      if (typeof problem === 'string') details.push({ path: `databases.${i}`, message: problem });
    });
    if (details.length) throw validationError('invalid backup policy', details);
  }

  function sealTarget(body: BackupPolicyBody, existing: Awaited<ReturnType<typeof deps.repo.findPolicy>>) {
    const t = body.target;
    if (t.type === 'local') return { target: JSON.stringify({ type: 'local', path: t.path }), secrets: null };
    const old = existing ? openTarget(deps, existing) : null;
    const accessKeyId = t.accessKeyId ?? (old?.type === 's3' ? old.accessKeyId : '');
    const secretAccessKey = t.secretAccessKey ?? (old?.type === 's3' ? old.secretAccessKey : '');
    const missing = [!accessKeyId && 'accessKeyId', !secretAccessKey && 'secretAccessKey'].filter(Boolean);
    if (missing.length) {
      throw validationError(
        'the S3 target needs its keys',
        missing.map((m) => ({ path: `target.${m}`, message: 'required (stored write-only)' })),
      );
    }
    const { accessKeyId: _a, secretAccessKey: _s, ...rest } = t;
    return {
      target: JSON.stringify({ ...rest, caCertificate: t.caCertificate ?? null }),
      secrets: deps.box.encrypt(JSON.stringify({ accessKeyId, secretAccessKey })),
    };
  }

  async function enqueue(
    ctx: RequestContext,
    projectId: string,
    type: string,
    input: Record<string, unknown>,
  ) {
    return { job: await deps.jobs.enqueue(ctx, type, { projectId, ...input }, { projectId }) };
  }

  return {
    async getPolicy(projectId: string): Promise<BackupPolicyView> {
      await deps.projects.load(projectId);
      const row = await deps.repo.findPolicy(projectId);
      return row ? toPolicyView(deps, row) : defaultPolicyView(deps.defaultLocalPath);
    },

    /** Validate (volumes and database services must be the project's), store, reschedule, audit. */
    async putPolicy(
      ctx: RequestContext,
      projectId: string,
      body: BackupPolicyBody,
    ): Promise<BackupPolicyView> {
      await deps.projects.load(projectId);
      const existing = await deps.repo.findPolicy(projectId);
      const sealed = sealTarget(body, existing);
      await checkScope(projectId, body);
      const now = deps.clock.now().toISOString();
      await deps.repo.savePolicy({
        project_id: projectId,
        schedule: body.schedule,
        timezone: body.timezone,
        before_deploy: body.beforeDeploy ? 1 : 0,
        volumes: JSON.stringify(body.volumes),
        databases: JSON.stringify(body.databases),
        target: sealed.target,
        target_secrets: sealed.secrets,
        retention: JSON.stringify(body.retention),
        verify_schedule: body.verifySchedule,
        // One random password per project, generated once: restic encrypts the repository with it.
        repo_password: existing?.repo_password ?? deps.box.encrypt(randomToken('', 32)),
        created_at: existing?.created_at ?? now,
        updated_at: now,
        updated_by: ctx.actor?.login ?? null,
      });
      await deps.audit.record(ctx, 'backup.policy.update', {
        target: projectId,
        projectId,
        details: {
          schedule: body.schedule,
          timezone: body.timezone,
          volumes: body.volumes,
          databases: body.databases,
          target: body.target.type,
          beforeDeploy: body.beforeDeploy,
        },
      });
      await deps.scheduler()?.reload();
      return toPolicyView(deps, (await deps.repo.findPolicy(projectId))!);
    },

    /** "Back up now": 202 with the job (422 without a policy). */
    async backupNow(ctx: RequestContext, projectId: string): Promise<{ job: Job }> {
      await deps.projects.load(projectId);
      if (!(await deps.repo.findPolicy(projectId))) {
        throw preconditionFailed('save a backup policy for this project first');
      }
      return enqueue(ctx, projectId, BACKUP_JOB, { reason: 'manual' });
    },

    /** Start the restore check now. */
    async verifyNow(ctx: RequestContext, projectId: string): Promise<{ job: Job }> {
      await deps.projects.load(projectId);
      if (!(await deps.repo.findPolicy(projectId))) {
        throw preconditionFailed('save a backup policy for this project first');
      }
      return enqueue(ctx, projectId, VERIFY_JOB, {});
    },

    /** Backups in the policy's current repository, newest first. */
    async list(projectId: string): Promise<{ items: BackupView[] }> {
      await deps.projects.load(projectId);
      const row = await deps.repo.findPolicy(projectId);
      if (!row) return { items: [] };
      const location = repositoryLocation(openTarget(deps, row), projectId);
      return { items: (await deps.repo.listRuns(projectId, location)).map(toBackupView) };
    },

    /** Queue a restore after checking the backup exists, is restorable and holds what was asked for. */
    async restore(ctx: RequestContext, projectId: string, runId: string, body: RestoreBody) {
      await deps.projects.load(projectId);
      const row = await deps.repo.findPolicy(projectId);
      if (!row) throw preconditionFailed('this project has no backup policy');
      const location = repositoryLocation(openTarget(deps, row), projectId);
      const { items } = await restorableRun(deps, projectId, runId, location);
      pickItems(items, body);
      await deps.audit.record(ctx, 'backup.restore', { target: runId, projectId, details: { ...body } });
      return enqueue(ctx, projectId, RESTORE_JOB, { runId, ...body });
    },

    /** Every project with a policy and how its backups stand (the dashboard). */
    async status() {
      const rows = await deps.repo.listPolicies();
      return {
        items: rows.map((r) => {
          const view = toPolicyView(deps, r);
          return {
            projectId: r.project_id,
            projectName: r.project_name,
            schedule: r.schedule,
            lastStatus: r.last_status,
            lastRunAt: r.last_run_at,
            lastSuccessAt: r.last_success_at,
            lastError: r.last_error,
            lastJobId: r.last_job_id,
            lastVerifyStatus: r.last_verify_status,
            lastVerifyAt: r.last_verify_at,
            nextRunAt: view.state.nextRunAt,
            failing: isFailing(r),
          };
        }),
      };
    },

    /** The deploy flows' hook: back up first when the policy asks for it (a failed backup stops the deploy). */
    async beforeDeploy(ctx: JobContext, projectId: string): Promise<void> {
      const row = await deps.repo.findPolicy(projectId);
      if (row?.before_deploy !== 1) return;
      await ctx.step('Back up app data before deploying', () => runBackup(deps, ctx, projectId, 'deploy'));
    },

    /** A scheduler tick: queue the work unless the same work is already waiting. */
    async fire(projectId: string, work: ScheduledWork): Promise<void> {
      const type = work === 'backup' ? BACKUP_JOB : VERIFY_JOB;
      const waiting = await deps.jobs.list({ projectId, type, status: 'queued', limit: 1 });
      if (waiting.items.length > 0) return;
      await enqueue(systemContext, projectId, type, work === 'backup' ? { reason: 'schedule' } : {});
    },

    /** Policies as the scheduler reads them. */
    async scheduled() {
      return (await deps.repo.listPolicies()).map((r) => ({
        projectId: r.project_id,
        schedule: r.schedule,
        verifySchedule: r.verify_schedule,
        timezone: r.timezone,
      }));
    },
  };
}

/** The backups service. */
export type BackupsService = ReturnType<typeof createBackupsService>;
