import { upstreamError } from '../../domain/errors.js';
import type { Runner } from '../../lib/task-context.js';
import type { ResticRepo } from './restic-target.js';
import { retentionFlags } from './restic-target.js';

/** One snapshot as `restic snapshots --json` lists it. */
export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  tags?: string[];
  hostname: string;
}

/** The summary line of `restic backup --json`. */
export interface BackupSummary {
  snapshot_id?: string;
  total_bytes_processed: number;
  data_added: number;
}

/** Every snapshot carries this host name, so grouping does not depend on the machine's name. */
export const SNAPSHOT_HOST = 'warp-panel';

/** A tag `key=value` on the snapshot. */
export const tag = (key: string, value: string): string => `${key}=${value}`;

/** The value of a `key=value` tag, or null. */
export const tagValue = (s: ResticSnapshot, key: string): string | null =>
  s.tags?.find((t) => t.startsWith(`${key}=`))?.slice(key.length + 1) ?? null;

const MISSING_REPO = /unable to open config file|Is there a repository at the following location/i;

/**
 * restic (host binary, argv only) over a task's runner: the password and keys go through the
 * environment; the cache lives in the panel's data dir.
 */
export function createRestic(opts: { bin: string; cacheDir: string }) {
  const base = (repo: ResticRepo) => [
    opts.bin,
    '--cache-dir',
    opts.cacheDir,
    '-r',
    repo.location,
    ...repo.flags,
  ];
  const env = (repo: ResticRepo) => repo.env;

  return {
    /** Create the repository unless it exists; true when it was created now. */
    async ensureRepository(run: Runner, repo: ResticRepo): Promise<boolean> {
      try {
        await run([...base(repo), 'cat', 'config'], { env: env(repo), quiet: true });
        return false;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!MISSING_REPO.test(message)) throw err;
      }
      await run([...base(repo), 'init'], { env: env(repo) });
      return true;
    },

    /** Remove locks left by a killed run (restic keeps live ones). */
    unlock: (run: Runner, repo: ResticRepo) =>
      run([...base(repo), 'unlock'], { env: env(repo), quiet: true }).then(() => {}),

    /** Back up one stream as `/<filename>`; the stream must only end when it is whole. */
    async backupStdin(
      run: Runner,
      repo: ResticRepo,
      input: NodeJS.ReadableStream,
      o: { filename: string; tags: string[] },
    ): Promise<BackupSummary> {
      const argv = [...base(repo), 'backup', '--json', '-q', '--host', SNAPSHOT_HOST, '--stdin'];
      argv.push('--stdin-filename', o.filename, ...o.tags.flatMap((t) => ['--tag', t]));
      const res = await run(argv, { env: env(repo), input, quiet: true });
      const summary = res.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { message_type?: string } & BackupSummary)
        .find((m) => m.message_type === 'summary');
      if (!summary?.snapshot_id) throw upstreamError('restic', 'backup ended without a snapshot');
      return summary;
    },

    /** Snapshots, optionally only those carrying every tag in `tags`. */
    async snapshots(run: Runner, repo: ResticRepo, tags: string[] = []): Promise<ResticSnapshot[]> {
      const argv = [...base(repo), 'snapshots', '--json', '--host', SNAPSHOT_HOST];
      if (tags.length) argv.push('--tag', tags.join(','));
      const res = await run(argv, { env: env(repo), quiet: true });
      return (JSON.parse(res.stdout || '[]') as ResticSnapshot[] | null) ?? [];
    },

    /** Stream the file `/<filename>` of a snapshot into `output` (not ended). */
    dump: (
      run: Runner,
      repo: ResticRepo,
      snapshotId: string,
      filename: string,
      output: NodeJS.WritableStream,
    ) =>
      run([...base(repo), 'dump', snapshotId, `/${filename}`], { env: env(repo), output, quiet: true }).then(
        () => {},
      ),

    /** Apply retention per item (host + path) and prune unreferenced data. */
    forget: (run: Runner, repo: ResticRepo, retention: { last: number; daily: number; weekly: number }) =>
      run(
        [
          ...base(repo),
          'forget',
          '--host',
          SNAPSHOT_HOST,
          '--group-by',
          'host,paths',
          ...retentionFlags(retention),
          '--prune',
        ],
        { env: env(repo) },
      ).then(() => {}),

    /** Check the repository's structure (and read a share of its data). */
    check: (run: Runner, repo: ResticRepo, readDataSubset?: string) =>
      run([...base(repo), 'check', ...(readDataSubset ? ['--read-data-subset', readDataSubset] : [])], {
        env: env(repo),
      }).then(() => {}),
  };
}

/** The restic CLI wrapper. */
export type Restic = ReturnType<typeof createRestic>;
