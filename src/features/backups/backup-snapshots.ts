import type { BackupRunRow } from '../../db/schema.js';
import { notFound, preconditionFailed } from '../../domain/errors.js';
import { tag } from '../../integrations/restic/restic-cli.js';
import type { ResticRepo } from '../../integrations/restic/restic-target.js';
import { parseJson } from '../../lib/json.js';
import type { JobContext } from '../jobs/index.js';
import type { BackupsDeps } from './backup-deps.js';
import { type BackupItem, TAGS } from './backup-items.js';

/** A stored run that can be restored from: its succeeded items, each with the snapshot that holds it. */
export async function restorableRun(
  deps: BackupsDeps,
  projectId: string,
  runId: string,
  location: string,
): Promise<{ run: BackupRunRow; items: BackupItem[] }> {
  const run = await deps.repo.findRun(projectId, runId);
  if (!run) throw notFound('backup');
  if (run.location !== location) {
    throw preconditionFailed('this backup is in a repository the policy no longer points at');
  }
  const items = parseJson<BackupItem[]>(run.items, []).filter(
    (i) => i.status === 'succeeded' && i.snapshotId,
  );
  if (run.status === 'running' || run.status === 'failed' || items.length === 0) {
    throw preconditionFailed(`backup ${runId} holds nothing to restore (${run.status})`);
  }
  return { run, items };
}

/** Ask the repository (not our table) which snapshots of the run exist; a missing one is an error. */
export async function confirmSnapshots(
  deps: BackupsDeps,
  ctx: JobContext,
  repo: ResticRepo,
  runId: string,
  items: BackupItem[],
): Promise<void> {
  const listed = await deps.restic.snapshots(ctx.run, repo, [tag(TAGS.run, runId)]);
  for (const item of items) {
    if (!listed.some((s) => s.id === item.snapshotId)) {
      throw preconditionFailed(`snapshot of ${item.kind} ${item.name} is no longer in the repository`);
    }
  }
}

/** The restored stream must be byte-identical to what was backed up. */
export function checkDigest(item: BackupItem, sha256: string): void {
  if (item.sha256 && item.sha256 !== sha256) {
    throw preconditionFailed(
      `${item.kind} ${item.name}: the restored data does not match the backup (SHA-256 differs)`,
    );
  }
}
