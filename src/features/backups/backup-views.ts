import type { BackupPolicyRow, BackupRunRow } from '../../db/schema.js';
import { repositoryLocation } from '../../integrations/restic/restic-target.js';
import { parseJson } from '../../lib/json.js';
import { hintOf } from '../../lib/tokens.js';
import type { BackupsDeps } from './backup-deps.js';
import type { BackupItem } from './backup-items.js';
import { openTarget } from './backup-policy.store.js';
import { nextRunOf } from './backup-schedule.js';
import type { BackupPolicyView, BackupView } from './backups.schemas.js';

const secretView = (value: string) => ({ set: value !== '', hint: value === '' ? null : hintOf(value) });

/** Whether the project's backups need attention: the last run failed or was partial, or the last check failed. */
export const isFailing = (row: Pick<BackupPolicyRow, 'last_status' | 'last_verify_status'>): boolean =>
  row.last_status === 'failed' || row.last_status === 'partial' || row.last_verify_status === 'failed';

/** A policy row as the API shows it (S3 keys as `{set, hint}`). */
export function toPolicyView(deps: Pick<BackupsDeps, 'box'>, row: BackupPolicyRow): BackupPolicyView {
  const target = openTarget(deps, row);
  return {
    configured: true,
    schedule: row.schedule,
    timezone: row.timezone,
    beforeDeploy: row.before_deploy === 1,
    volumes: parseJson<string[]>(row.volumes, []),
    databases: parseJson<string[]>(row.databases, []),
    target:
      target.type === 'local'
        ? target
        : {
            type: 's3',
            endpoint: target.endpoint,
            bucket: target.bucket,
            prefix: target.prefix,
            region: target.region,
            accessKeyId: secretView(target.accessKeyId),
            secretAccessKey: secretView(target.secretAccessKey),
            caCertificate: target.caCertificate ?? null,
          },
    retention: parseJson(row.retention, { last: 7, daily: 7, weekly: 4 }),
    verifySchedule: row.verify_schedule,
    repository: repositoryLocation(target, row.project_id),
    state: {
      lastStatus: row.last_status,
      lastRunAt: row.last_run_at,
      lastSuccessAt: row.last_success_at,
      lastError: row.last_error,
      lastJobId: row.last_job_id,
      lastVerifyAt: row.last_verify_at,
      lastVerifyStatus: row.last_verify_status,
      lastVerifyError: row.last_verify_error,
      nextRunAt: nextRunOf(row.schedule, row.timezone),
      nextVerifyAt: nextRunOf(row.verify_schedule, row.timezone),
      failing: isFailing(row),
    },
  };
}

/** What `GET …/backup-policy` answers before a policy was saved: the form's defaults. */
export function defaultPolicyView(defaultLocalPath: string): BackupPolicyView {
  return {
    configured: false,
    schedule: null,
    timezone: 'UTC',
    beforeDeploy: false,
    volumes: [],
    databases: [],
    target: { type: 'local', path: defaultLocalPath },
    retention: { last: 7, daily: 7, weekly: 4 },
    verifySchedule: '0 4 * * 0',
    repository: null,
    state: {
      lastStatus: null,
      lastRunAt: null,
      lastSuccessAt: null,
      lastError: null,
      lastJobId: null,
      lastVerifyAt: null,
      lastVerifyStatus: null,
      lastVerifyError: null,
      nextRunAt: null,
      nextVerifyAt: null,
      failing: false,
    },
  };
}

/** A run row as one item of `GET …/backups`. */
export function toBackupView(row: BackupRunRow): BackupView {
  const items = parseJson<BackupItem[]>(row.items, []);
  const names = (kind: BackupItem['kind']) =>
    items.filter((i) => i.kind === kind && i.status === 'succeeded').map((i) => i.name);
  return {
    id: row.id,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    size: Number(row.size),
    added: Number(row.added),
    volumes: names('volume'),
    databases: names('database'),
    status: row.status,
    reason: row.reason,
    jobId: row.job_id,
    error: row.error,
    items: items.map((i) => ({
      kind: i.kind,
      name: i.name,
      status: i.status,
      bytes: i.bytes,
      snapshotId: i.snapshotId,
      error: i.error,
    })),
  };
}
