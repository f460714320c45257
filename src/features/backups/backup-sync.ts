import { tagValue } from '../../integrations/restic/restic-cli.js';
import type { ResticRepo } from '../../integrations/restic/restic-target.js';
import type { JobContext } from '../jobs/index.js';
import type { BackupsDeps } from './backup-deps.js';
import { TAGS } from './backup-items.js';

/** Failed runs kept for the list (they have no snapshots to age out with). */
const KEEP_FAILED = 20;

/**
 * After retention: forget the runs whose snapshots restic removed, so the list shows only what can
 * be restored, and keep the last few failed runs.
 */
export async function syncRuns(
  deps: BackupsDeps,
  ctx: JobContext,
  repo: ResticRepo,
  projectId: string,
  currentRun: string,
) {
  const present = new Set(
    (await deps.restic.snapshots(ctx.run, repo)).map((s) => tagValue(s, TAGS.run)).filter(Boolean),
  );
  const runs = await deps.repo.listRuns(projectId, repo.location);
  const gone = runs.filter(
    (r) => r.id !== currentRun && (r.status === 'succeeded' || r.status === 'partial') && !present.has(r.id),
  );
  const oldFailed = runs.filter((r) => r.status === 'failed').slice(KEEP_FAILED);
  await deps.repo.deleteRuns([...gone, ...oldFailed].map((r) => r.id));
  if (gone.length) ctx.log.info(`retention removed ${gone.length} older backup(s)`);
}
