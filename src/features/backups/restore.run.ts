import { notFound, preconditionFailed, validationError } from '../../domain/errors.js';
import type { ResticRepo } from '../../integrations/restic/restic-target.js';
import type { JobContext } from '../jobs/index.js';
import { helperImage, openRepository } from './backup.run.js';
import type { BackupsDeps } from './backup-deps.js';
import { type BackupItem, itemFile } from './backup-items.js';
import { openPolicy, repoOf } from './backup-policy.store.js';
import { checkDigest, confirmSnapshots, restorableRun } from './backup-snapshots.js';
import { databaseAccess, restoredDatabaseName } from './database-engines.js';
import { createDatabase, loadDatabase, waitForDatabase } from './database-transfer.js';
import { containerOf, type ProjectScope, projectScope } from './project-scope.js';
import { transfer } from './stream-transfer.js';
import {
  createVolume,
  removeVolume,
  replaceVolumeContent,
  untarIntoVolume,
  type VolumeDeps,
} from './volume-transfer.js';

/** What a restore job is asked to do. */
export interface RestoreInput {
  projectId: string;
  runId: string;
  into: 'project' | 'new';
  volumes?: string[] | undefined;
  databases?: string[] | undefined;
}

interface Ctx {
  deps: BackupsDeps;
  ctx: JobContext;
  repo: ResticRepo;
  vd: VolumeDeps;
}

const short = (runId: string) => runId.replace(/-/g, '').slice(-8);

/** Items of the run the request picked (all by default); naming one the run lacks is a 400. */
export function pickItems(
  items: BackupItem[],
  input: Pick<RestoreInput, 'volumes' | 'databases'>,
): BackupItem[] {
  const want = (kind: BackupItem['kind'], names: string[] | undefined) => {
    const have = items.filter((i) => i.kind === kind);
    if (!names) return have;
    const missing = names.filter((n) => !have.some((i) => i.name === n));
    if (missing.length) throw validationError(`this backup has no ${kind} ${missing.join(', ')}`);
    return have.filter((i) => names.includes(i.name));
  };
  const picked = [...want('volume', input.volumes), ...want('database', input.databases)];
  if (picked.length === 0) throw validationError('nothing chosen to restore');
  return picked;
}

/** restic dump of an item → a volume (via the helper's tar -x), checked against the backup's SHA-256. */
async function dumpIntoVolume(c: Ctx, item: BackupItem, volume: string): Promise<void> {
  const t = await transfer(
    c.ctx.signal,
    (out) => c.deps.restic.dump(c.ctx.run, c.repo, item.snapshotId as string, itemFile(item), out),
    (input, signal) => untarIntoVolume(c.vd, volume, input, signal),
  );
  checkDigest(item, t.sha256);
  c.ctx.log.info(`${t.bytes} bytes restored into volume ${volume}, SHA-256 matches the backup`);
}

async function dumpIntoDatabase(
  c: Ctx,
  scope: ProjectScope,
  item: BackupItem,
  into: 'project' | 'new',
  runId: string,
) {
  const container = containerOf(scope, item.name);
  if (!container) throw notFound(`service ${item.name} of this project`);
  const access = databaseAccess(container.image, container.env);
  if (typeof access === 'string') throw preconditionFailed(`service ${item.name}: ${access}`);
  if (access.password) c.ctx.addSecret(access.password);
  await waitForDatabase(c.deps.docker, c.ctx, container.id, access);
  let database = access.database;
  if (into === 'new') {
    database = restoredDatabaseName(access.database, runId);
    await createDatabase(c.deps.docker, container.id, access, database, c.ctx.signal);
  }
  const t = await transfer(
    c.ctx.signal,
    (out) => c.deps.restic.dump(c.ctx.run, c.repo, item.snapshotId as string, itemFile(item), out),
    (input, signal) => loadDatabase(c.deps.docker, container.id, access, database, input, signal),
  );
  checkDigest(item, t.sha256);
  c.ctx.log.info(
    `${t.bytes} bytes of SQL loaded into ${access.engine} database ${database} of ${container.name}`,
  );
  return database;
}

/** Stop the project's running containers around `fn`, then start them again (oldest first). */
async function withProjectStopped(c: Ctx, scope: ProjectScope, fn: () => Promise<void>): Promise<void> {
  const running = scope.containers.filter((x) => x.running);
  await c.ctx.step(
    `Stop the project (${running.map((x) => x.name).join(', ') || 'nothing running'})`,
    async () => {
      for (const x of running) {
        await c.deps.docker.call('stop container', (d) => d.getContainer(x.id).stop({ t: 30 }), {
          timeoutMs: 90_000,
        });
      }
    },
  );
  try {
    await fn();
  } finally {
    await c.ctx.step('Start the project again', async () => {
      for (const x of running)
        await c.deps.docker.call('start container', (d) => d.getContainer(x.id).start());
    });
  }
}

/**
 * Restore a backup run. Into the project: each volume is first restored into a staging volume and
 * checked byte for byte, and only then — with the project stopped — copied over the live volume;
 * dumps are loaded into the running database service. Into new: new volumes and new databases are
 * made for inspection and the project is not touched.
 */
export async function runRestore(deps: BackupsDeps, ctx: JobContext, input: RestoreInput) {
  const policy = await openPolicy(deps, input.projectId);
  const repo = repoOf(deps, policy);
  const { items: all } = await restorableRun(deps, input.projectId, input.runId, repo.location);
  const items = pickItems(all, input);
  await openRepository(deps, ctx, repo);
  await ctx.step('Find the snapshots', () => confirmSnapshots(deps, ctx, repo, input.runId, items));
  const c: Ctx = {
    deps,
    ctx,
    repo,
    vd: { docker: deps.docker, image: await helperImage(deps, ctx), projectId: input.projectId },
  };
  const scope = await projectScope(deps, input.projectId);
  const volumes = items.filter((i) => i.kind === 'volume');
  const databases = items.filter((i) => i.kind === 'database');
  const result = { into: input.into, volumes: [] as string[], databases: [] as string[] };
  const tag = short(input.runId);

  if (input.into === 'new') {
    for (const item of volumes) {
      const name = `${item.name.slice(0, 200)}-restored-${tag}`;
      await ctx.step(`Restore volume ${item.name} into new volume ${name}`, async () => {
        await createVolume(deps.docker, input.projectId, name, { 'warp.restored-from': input.runId });
        await dumpIntoVolume(c, item, name).catch(async (err: unknown) => {
          await removeVolume(deps.docker, name).catch(() => {});
          throw err;
        });
      });
      result.volumes.push(name);
    }
  } else if (volumes.length) {
    for (const item of volumes) {
      if (!scope.volumes.includes(item.name)) throw notFound(`volume ${item.name} of this project`);
    }
    const staging = new Map(volumes.map((i) => [i.name, `warp-restore-${tag}-${i.name}`.slice(0, 250)]));
    try {
      for (const item of volumes) {
        await ctx.step(`Restore volume ${item.name} into a staging volume`, async () => {
          await createVolume(deps.docker, input.projectId, staging.get(item.name) as string, {
            'warp.restore-staging': input.runId,
          });
          await dumpIntoVolume(c, item, staging.get(item.name) as string);
        });
      }
      await withProjectStopped(c, scope, async () => {
        for (const item of volumes) {
          await ctx.step(`Replace the content of volume ${item.name}`, () =>
            replaceVolumeContent(c.vd, ctx, staging.get(item.name) as string, item.name),
          );
          result.volumes.push(item.name);
        }
      });
    } finally {
      for (const name of staging.values()) await removeVolume(deps.docker, name).catch(() => {});
    }
  }
  const fresh =
    volumes.length && input.into === 'project' ? await projectScope(deps, input.projectId) : scope;
  for (const item of databases) {
    const db = await ctx.step(
      `Restore database ${item.name}${input.into === 'new' ? ' into a new database' : ''}`,
      () => dumpIntoDatabase(c, fresh, item, input.into, input.runId),
    );
    result.databases.push(`${item.name}/${db}`);
  }
  return result;
}
