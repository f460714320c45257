import { AppError, notFound, preconditionFailed } from '../../domain/errors.js';
import { ensureImage } from '../../integrations/docker/helper-container.js';
import { tag } from '../../integrations/restic/restic-cli.js';
import type { ResticRepo } from '../../integrations/restic/restic-target.js';
import { newId } from '../../lib/ids.js';
import { createMasker, type Masker } from '../../lib/log-masking.js';
import type { JobContext } from '../jobs/index.js';
import { type BackupsDeps, describeError } from './backup-deps.js';
import { type BackupItem, failedItem, itemFile, runStatus, TAGS } from './backup-items.js';
import { type OpenPolicy, openPolicy, repoOf } from './backup-policy.store.js';
import { syncRuns } from './backup-sync.js';
import { databaseAccess } from './database-engines.js';
import { dumpDatabase } from './database-transfer.js';
import { containerOf, type ProjectScope, projectScope } from './project-scope.js';
import { transfer } from './stream-transfer.js';
import { findSqliteFiles, tarVolume, type VolumeDeps } from './volume-transfer.js';

/** Why a run was started. */
export type BackupReason = 'manual' | 'schedule' | 'deploy';

interface RunCtx {
  deps: BackupsDeps;
  ctx: JobContext;
  policy: OpenPolicy;
  repo: ResticRepo;
  runId: string;
  masker: Masker;
}

/** Open the repository (creating it on first use) and clear locks a killed run left. */
export async function openRepository(deps: BackupsDeps, ctx: JobContext, repo: ResticRepo): Promise<void> {
  for (const s of repo.secrets) ctx.addSecret(s);
  await ctx.step(`Open repository ${repo.location}`, async () => {
    if (await deps.restic.ensureRepository(ctx.run, repo)) ctx.log.info('created a new encrypted repository');
    await deps.restic.unlock(ctx.run, repo);
  });
}

/** The helper image, pulled when the engine does not have it. */
export async function helperImage(deps: BackupsDeps, ctx: JobContext): Promise<string> {
  const image = (await deps.settings.get()).backups.helperImage;
  if ((await ensureImage(deps.docker, image)) === 'pulled') ctx.log.info(`pulled helper image ${image}`);
  return image;
}

async function backupVolume(
  r: RunCtx,
  scope: ProjectScope,
  vd: VolumeDeps,
  volume: string,
): Promise<BackupItem> {
  const { ctx, deps } = r;
  if (!scope.volumes.includes(volume)) throw notFound(`volume ${volume} of this project`);
  const users = scope.containers.filter((c) => c.running && c.volumes.includes(volume));
  const sqlite = await findSqliteFiles(vd, ctx.signal, volume);
  const paused: string[] = [];
  try {
    if (sqlite.length > 0 && users.length > 0) {
      // Frozen writers give a crash-consistent copy of each database with its journal or WAL.
      ctx.log.info(
        `volume ${volume} holds SQLite databases (${sqlite.slice(0, 5).join(', ')}): pausing ${users.map((u) => u.name).join(', ')} while it is read`,
      );
      for (const u of users) {
        await deps.docker.call('pause container', (d) => d.getContainer(u.id).pause());
        paused.push(u.id);
      }
    }
    const t = await transfer(
      ctx.signal,
      (out, signal) => tarVolume(vd, volume, out, signal),
      (input) =>
        deps.restic.backupStdin(ctx.run, r.repo, input, {
          filename: itemFile({ kind: 'volume', name: volume }),
          tags: tagsOf(r, 'volume', volume),
        }),
    );
    return succeeded(r, 'volume', volume, t);
  } finally {
    for (const id of paused) {
      await deps.docker
        .call('unpause container', (d) => d.getContainer(id).unpause())
        .catch((err: unknown) => {
          ctx.log.error(`could not unpause container ${id.slice(0, 12)}: ${describeError(err)}`);
        });
    }
  }
}

async function backupDatabase(r: RunCtx, scope: ProjectScope, service: string): Promise<BackupItem> {
  const { ctx, deps } = r;
  const container = containerOf(scope, service);
  if (!container) throw notFound(`service ${service} of this project`);
  if (!container.running)
    throw preconditionFailed(`service ${service} is not running: a dump needs the running database`);
  const access = databaseAccess(container.image, container.env);
  if (typeof access === 'string') throw preconditionFailed(`service ${service}: ${access}`);
  if (access.password) {
    ctx.addSecret(access.password);
    r.masker.add(access.password);
  }
  ctx.log.info(`dumping ${access.engine} database ${access.database} as ${access.user} in ${container.name}`);
  const t = await transfer(
    ctx.signal,
    (out, signal) => dumpDatabase(deps.docker, container.id, access, out, signal),
    (input) =>
      deps.restic.backupStdin(ctx.run, r.repo, input, {
        filename: itemFile({ kind: 'database', name: service }),
        tags: tagsOf(r, 'database', service),
      }),
  );
  return { ...succeeded(r, 'database', service, t), engine: access.engine, database: access.database };
}

const tagsOf = (r: RunCtx, kind: string, name: string) => [
  tag(TAGS.run, r.runId),
  tag(TAGS.kind, kind),
  tag(TAGS.item, name),
  tag(TAGS.project, r.policy.row.project_id),
];

function succeeded(
  r: RunCtx,
  kind: BackupItem['kind'],
  name: string,
  t: {
    bytes: number;
    sha256: string;
    consumed: { snapshot_id?: string; data_added: number; total_bytes_processed: number };
  },
): BackupItem {
  // restic must have stored exactly what was read: a short count means a cut stream.
  if (t.consumed.total_bytes_processed !== t.bytes) {
    throw new AppError(
      'UPSTREAM_ERROR',
      `restic stored ${t.consumed.total_bytes_processed} bytes of ${t.bytes} read`,
    );
  }
  r.ctx.log.info(
    `${kind} ${name}: ${t.bytes} bytes read, ${t.consumed.data_added} bytes added, snapshot ${t.consumed.snapshot_id}`,
  );
  return {
    kind,
    name,
    status: 'succeeded',
    bytes: t.bytes,
    added: t.consumed.data_added,
    sha256: t.sha256,
    snapshotId: t.consumed.snapshot_id ?? null,
    error: null,
  };
}

/** Every succeeded item's snapshot must be listed by the repository now (nothing silently missing). */
async function confirmUploaded(r: RunCtx, items: BackupItem[]): Promise<void> {
  const listed = await r.deps.restic.snapshots(r.ctx.run, r.repo, [tag(TAGS.run, r.runId)]);
  for (const item of items) {
    if (item.status !== 'succeeded') continue;
    const found = listed.find((s) => s.short_id === item.snapshotId || s.id === item.snapshotId);
    if (found) item.snapshotId = found.id;
    else
      Object.assign(
        item,
        failedItem(item.kind, item.name, 'the snapshot is not in the repository after the upload'),
      );
  }
}

/**
 * One backup run inside a job: every chosen volume and database into its own snapshot (tagged with
 * the run), checked to be in the repository, then retention. Anything short of every item saved
 * fails the job, marks the project and calls `onBackupFailed`.
 */
export async function runBackup(deps: BackupsDeps, ctx: JobContext, projectId: string, reason: BackupReason) {
  const project = await deps.projects.load(projectId);
  const policy = await openPolicy(deps, projectId);
  const repo = repoOf(deps, policy);
  const masker = createMasker(repo.secrets);
  const r: RunCtx = { deps, ctx, policy, repo, runId: newId(), masker };
  const startedAt = deps.clock.now().toISOString();
  await deps.repo.insertRun({
    id: r.runId,
    project_id: projectId,
    job_id: ctx.job.id,
    location: repo.location,
    reason,
    status: 'running',
    size: 0,
    added: 0,
    items: '[]',
    created_at: startedAt,
  });
  await deps.repo.updatePolicy(projectId, {
    last_status: 'running',
    last_run_at: startedAt,
    last_job_id: ctx.job.id,
  });
  const items: BackupItem[] = [];
  let fatal: unknown = null;
  try {
    await openRepository(deps, ctx, repo);
    const scope = await projectScope(deps, projectId);
    const vd: VolumeDeps = { docker: deps.docker, image: await helperImage(deps, ctx), projectId };
    for (const volume of policy.volumes) {
      items.push(
        await ctx
          .step(`Back up volume ${volume}`, () => backupVolume(r, scope, vd, volume))
          .catch((err: unknown) => failedItem('volume', volume, masker.mask(describeError(err)))),
      );
    }
    for (const service of policy.databases) {
      items.push(
        await ctx
          .step(`Dump database ${service}`, () => backupDatabase(r, scope, service))
          .catch((err: unknown) => failedItem('database', service, masker.mask(describeError(err)))),
      );
    }
    if (items.some((i) => i.status === 'succeeded')) {
      await ctx.step('Check the snapshots are in the repository', () => confirmUploaded(r, items));
    }
    if (items.some((i) => i.status === 'succeeded')) {
      await ctx.step('Apply retention', () => deps.restic.forget(ctx.run, repo, policy.retention));
      await syncRuns(deps, ctx, repo, projectId, r.runId);
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    fatal = err;
  }
  return finishRun(r, project.name, items, fatal);
}

async function finishRun(r: RunCtx, projectName: string, items: BackupItem[], fatal: unknown) {
  const { deps, ctx } = r;
  const status = runStatus(items, fatal);
  const problems = [
    ...(fatal ? [r.masker.mask(describeError(fatal))] : []),
    ...items.filter((i) => i.status === 'failed').map((i) => `${i.kind} ${i.name}: ${i.error}`),
  ];
  if (items.length === 0 && !fatal) problems.push('nothing was backed up');
  const error = problems.length ? problems.join('; ').slice(0, 2000) : null;
  const now = deps.clock.now().toISOString();
  const size = items.reduce((n, i) => n + i.bytes, 0);
  const added = items.reduce((n, i) => n + i.added, 0);
  await deps.repo.updateRun(r.runId, {
    status,
    size,
    added,
    items: JSON.stringify(items),
    error,
    finished_at: now,
  });
  await deps.repo.updatePolicy(r.policy.row.project_id, {
    last_status: status,
    last_error: error,
    ...(status === 'succeeded' ? { last_success_at: now } : {}),
  });
  if (status !== 'succeeded') {
    await notifyFailure(deps, {
      kind: 'backup',
      projectId: r.policy.row.project_id,
      projectName,
      status,
      message: error ?? status,
      runId: r.runId,
      jobId: ctx.job.id,
      at: now,
    });
    const saved = items.filter((i) => i.status === 'succeeded').length;
    const counted = items.length ? `${saved} of ${items.length} items saved — ` : '';
    throw new AppError('UPSTREAM_ERROR', `backup ${status}: ${counted}${error}`);
  }
  return {
    backup: r.runId,
    status,
    size,
    added,
    items: items.map((i) => ({ kind: i.kind, name: i.name, snapshotId: i.snapshotId })),
  };
}

/** Call the failure hook; a broken hook is logged, never allowed to hide the failure itself. */
export async function notifyFailure(deps: BackupsDeps, event: Parameters<BackupsDeps['onBackupFailed']>[0]) {
  try {
    await deps.onBackupFailed(event);
  } catch (err) {
    deps.log.error({ err: describeError(err), projectId: event.projectId }, 'backup failure hook failed');
  }
}
