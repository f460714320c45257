/** The backups feature: what other features, the HTTP layer and the composition root use. */
export type { BackupFailedEvent, BackupsDeps } from './backup-deps.js';
export * from './backup-scheduler.js';
export {
  BACKUP_JOB,
  RESTORE_JOB,
  recoverInterruptedBackups,
  registerBackupJobs,
  VERIFY_JOB,
} from './backups.jobs.js';
export * from './backups.schemas.js';
export * from './backups.service.js';
