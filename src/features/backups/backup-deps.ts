import type { Logger } from 'pino';
import type { ProjectRow } from '../../db/schema.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { Restic } from '../../integrations/restic/restic-cli.js';
import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { BackupsRepository } from '../../repositories/backups.repository.js';
import type { ContainerLister } from './project-scope.js';

/** What a failed or partial backup (or a failed restore check) tells the notifications feature. */
export interface BackupFailedEvent {
  kind: 'backup' | 'verify';
  projectId: string;
  projectName: string;
  status: 'failed' | 'partial';
  message: string;
  runId: string | null;
  jobId: string;
  at: string;
}

/** Everything the backups feature is built from, passed explicitly. */
export interface BackupsDeps {
  repo: BackupsRepository;
  box: SecretBox;
  docker: DockerClient;
  containers: ContainerLister;
  restic: Restic;
  settings: { get(): Promise<{ backups: { helperImage: string } }> };
  projects: { load(id: string): Promise<ProjectRow> };
  clock: Clock;
  /** `<data dir>/backups`: the restic cache and CA files live here. */
  workDir: string;
  /** Where a project's backups go until a policy says otherwise (shown as the form's default). */
  defaultLocalPath: string;
  /** Hook for the notifications feature: called once per failed or partial run. Must not throw. */
  onBackupFailed: (event: BackupFailedEvent) => void | Promise<void>;
  log: Logger;
}

/** A short, safe description of any thrown value. */
export const describeError = (err: unknown): string =>
  err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : 'unknown error';
