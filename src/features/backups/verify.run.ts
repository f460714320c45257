import { Writable } from 'node:stream';
import { AppError, preconditionFailed } from '../../domain/errors.js';
import { parseJson } from '../../lib/json.js';
import type { JobContext } from '../jobs/index.js';
import { helperImage, notifyFailure, openRepository } from './backup.run.js';
import { type BackupsDeps, describeError } from './backup-deps.js';
import { type BackupItem, itemFile } from './backup-items.js';
import { openPolicy, repoOf } from './backup-policy.store.js';
import { checkDigest, confirmSnapshots } from './backup-snapshots.js';
import { transfer } from './stream-transfer.js';
import {
  createVolume,
  helperCommand,
  removeVolume,
  untarIntoVolume,
  type VolumeDeps,
} from './volume-transfer.js';

const SQL_HEADER = /PostgreSQL database dump|MySQL dump|MariaDB dump/;

/** A sink that keeps only the first bytes (to recognise a dump's header). */
function headSink(keep = 4096) {
  let head = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (head.length < keep) head += chunk.toString('utf8', 0, Math.min(chunk.length, keep));
      done();
    },
  });
  return { sink, head: () => head };
}

type Repo = ReturnType<typeof repoOf>;

async function verifyVolume(
  deps: BackupsDeps,
  ctx: JobContext,
  vd: VolumeDeps,
  repo: Repo,
  item: BackupItem,
  scratch: string,
) {
  await createVolume(deps.docker, vd.projectId, scratch, { 'warp.verify-scratch': 'true' });
  try {
    const t = await transfer(
      ctx.signal,
      (out) => deps.restic.dump(ctx.run, repo, item.snapshotId as string, itemFile(item), out),
      (input, signal) => untarIntoVolume(vd, scratch, input, signal),
    );
    checkDigest(item, t.sha256);
    const files = await helperCommand(
      vd,
      ctx.signal,
      'listing the scratch copy',
      ['find', '/data', '-type', 'f'],
      [{ volume: scratch, target: '/data', readOnly: true }],
    );
    ctx.log.info(
      `volume ${item.name}: ${t.bytes} bytes extracted (${files.split('\n').filter(Boolean).length} files), SHA-256 matches`,
    );
  } finally {
    await removeVolume(deps.docker, scratch).catch(() => {});
  }
}

async function verifyDatabase(deps: BackupsDeps, ctx: JobContext, item: BackupItem, repo: Repo) {
  const head = headSink();
  const t = await transfer(
    ctx.signal,
    (out) => deps.restic.dump(ctx.run, repo, item.snapshotId as string, itemFile(item), out),
    async (input) => {
      input.pipe(head.sink);
      await new Promise<void>((resolve, reject) => {
        head.sink.on('finish', resolve);
        input.on('error', reject);
      });
    },
  );
  checkDigest(item, t.sha256);
  if (!SQL_HEADER.test(head.head()))
    throw preconditionFailed(`database ${item.name}: the restored file is not a SQL dump`);
  ctx.log.info(`database ${item.name}: ${t.bytes} bytes of SQL, SHA-256 matches`);
}

/**
 * The periodic restore check: the repository's structure (`restic check`), then every item of the
 * latest backup restored to a scratch place (volumes into a scratch volume through tar -x) and
 * compared with the SHA-256 taken when it was backed up. A failure marks the project and notifies.
 */
export async function runVerify(deps: BackupsDeps, ctx: JobContext, projectId: string) {
  const project = await deps.projects.load(projectId);
  const policy = await openPolicy(deps, projectId);
  const repo = repoOf(deps, policy);
  const runs = await deps.repo.listRuns(projectId, repo.location, 50);
  const latest = runs.find((r) => r.status === 'succeeded' || r.status === 'partial');
  const now = () => deps.clock.now().toISOString();
  try {
    if (!latest) throw preconditionFailed('there is no backup to check yet');
    const items = parseJson<BackupItem[]>(latest.items, []).filter((i) => i.status === 'succeeded');
    ctx.log.info(`checking backup ${latest.id} of ${latest.created_at}`);
    await openRepository(deps, ctx, repo);
    await ctx.step('Check the repository structure', () => deps.restic.check(ctx.run, repo));
    await ctx.step('Find the snapshots', () => confirmSnapshots(deps, ctx, repo, latest.id, items));
    const vd: VolumeDeps = { docker: deps.docker, image: await helperImage(deps, ctx), projectId };
    for (const item of items) {
      if (item.kind === 'volume') {
        const scratch = `warp-verify-${latest.id.replace(/-/g, '').slice(-8)}-${item.name}`.slice(0, 250);
        await ctx.step(`Restore volume ${item.name} to a scratch volume`, () =>
          verifyVolume(deps, ctx, vd, repo, item, scratch),
        );
      } else {
        await ctx.step(`Restore the dump of ${item.name}`, () => verifyDatabase(deps, ctx, item, repo));
      }
    }
    await deps.repo.updatePolicy(projectId, {
      last_verify_at: now(),
      last_verify_status: 'succeeded',
      last_verify_error: null,
    });
    return { backup: latest.id, items: items.length, verified: true };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const message = describeError(err);
    await deps.repo.updatePolicy(projectId, {
      last_verify_at: now(),
      last_verify_status: 'failed',
      last_verify_error: message,
    });
    await notifyFailure(deps, {
      kind: 'verify',
      projectId,
      projectName: project.name,
      status: 'failed',
      message,
      runId: latest?.id ?? null,
      jobId: ctx.job.id,
      at: now(),
    });
    throw err instanceof AppError ? err : new AppError('UPSTREAM_ERROR', message);
  }
}
