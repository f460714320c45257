import { upstreamError } from '../../domain/errors.js';
import { ANY_EXIT_CODE } from '../../lib/process/runner.js';
import type { Runner, RunResult } from '../../lib/task-context.js';
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

// What restic says when the repository's config is simply not there (local folder or bucket prefix).
// An auth or network failure also ends with "Is there a repository…?", so that hint alone is no proof.
const MISSING_REPO = /no such file or directory|The specified key does not exist|NoSuchKey/i;

/** The lines of restic's stderr that say what went wrong (not its Go stack trace). */
export function resticReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(
      (l) =>
        l.trim() !== '' &&
        !/^\s/.test(l) &&
        !/\.go:\d+$/.test(l) &&
        !/^(goroutine|runtime\.|main\.|github\.com\/)/.test(l),
    );
  const fatal = lines.filter((l) => /^Fatal:|error|denied|no space|unable|failed/i.test(l));
  return (fatal.length ? fatal : lines).slice(-4).join(' | ').slice(0, 1500) || 'failed';
}

/**
 * restic (host binary, argv only) over a task's runner: the password and keys go through the
 * environment; the cache lives in the panel's data dir.
 */
export function createRestic(opts: { bin: string; cacheDir: string }) {
  // Every exit code comes back, so the error can quote restic's own reason instead of a stack trace.
  const exec = async (run: Runner, argv: string[], options: Parameters<Runner>[1]): Promise<RunResult> => {
    const res = await run(argv, { ...options, okCodes: ANY_EXIT_CODE });
    if (res.code !== 0)
      throw upstreamError('restic', `exited with code ${res.code}: ${resticReason(res.stderr)}`);
    return res;
  };
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
        await exec(run, [...base(repo), 'cat', 'config'], { env: env(repo), quiet: true });
        return false;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!MISSING_REPO.test(message)) throw err;
      }
      await exec(run, [...base(repo), 'init'], { env: env(repo) });
      return true;
    },

    /** Remove locks left by a killed run (restic keeps live ones). */
    unlock: (run: Runner, repo: ResticRepo) =>
      exec(run, [...base(repo), 'unlock'], { env: env(repo), quiet: true }).then(() => {}),

    /** Back up one stream as `/<filename>`; the stream must only end when it is whole. */
    async backupStdin(
      run: Runner,
      repo: ResticRepo,
      input: NodeJS.ReadableStream,
      o: { filename: string; tags: string[] },
    ): Promise<BackupSummary> {
      const argv = [...base(repo), 'backup', '--json', '-q', '--host', SNAPSHOT_HOST, '--stdin'];
      argv.push('--stdin-filename', o.filename, ...o.tags.flatMap((t) => ['--tag', t]));
      const res = await exec(run, argv, { env: env(repo), input, quiet: true });
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
      const res = await exec(run, argv, { env: env(repo), quiet: true });
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
      exec(run, [...base(repo), 'dump', snapshotId, `/${filename}`], {
        env: env(repo),
        output,
        quiet: true,
      }).then(() => {}),

    /** Apply retention per item (host + path) and prune unreferenced data. */
    forget: (run: Runner, repo: ResticRepo, retention: { last: number; daily: number; weekly: number }) =>
      exec(
        run,
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
      exec(run, [...base(repo), 'check', ...(readDataSubset ? ['--read-data-subset', readDataSubset] : [])], {
        env: env(repo),
      }).then(() => {}),
  };
}

/** The restic CLI wrapper. */
export type Restic = ReturnType<typeof createRestic>;
