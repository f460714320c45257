import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, MetricSampleRow } from '../db/schema.js';

/** Length of a downsampled bucket. */
export const BUCKET_MS = 5 * 60_000;

const GAUGES = ['cpu', 'load1'] as const;
const BYTE_GAUGES = [
  'mem_used',
  'disk_data_used',
  'disk_data_total',
  'disk_docker_used',
  'disk_docker_total',
] as const;
const COUNTERS = ['net_rx', 'net_tx', 'blk_read', 'blk_write', 'restarts'] as const;
const ROWS_PER_INSERT = 200;

/** Which rows a series query reads and how it keys the series. */
export interface SeriesQuery {
  source: 'raw' | 'buckets';
  filter: { target: string } | { targetPrefix: string } | { projectId: string };
  /** `target` (one series per container id) or `container_name` (a name survives a redeploy). */
  key: 'target' | 'container_name';
  fromTs: number;
  toTs: number;
  stepMs: number;
}

/** One step of a series: gauges averaged (weighted by samples), counters summed over the step. */
export interface SeriesRow {
  key: string;
  /** A container id of the series (the newest-sorting one when a name spans several). */
  target_id: string;
  name: string | null;
  t: number;
  n: number;
  cpu: number | null;
  cpu_max: number | null;
  mem_used: number | null;
  mem_max: number | null;
  mem_limit: number | null;
  net_rx: number | null;
  net_tx: number | null;
  blk_read: number | null;
  blk_write: number | null;
  restarts: number | null;
  load1: number | null;
  disk_data_used: number | null;
  disk_data_total: number | null;
  disk_docker_used: number | null;
  disk_docker_total: number | null;
}

const col = (name: string) => sql.ref(name);
// Integer division on both engines (bigint on PostgreSQL, INTEGER on SQLite): the step's start.
const stepStart = (stepMs: number) => sql`(ts / ${sql.lit(stepMs)}) * ${sql.lit(stepMs)}`;

/** Aggregates of one column: raw samples average plainly; buckets weight their averages by `n`. */
function average(column: string, weighted: boolean, bytes: boolean): RawBuilder<number | null> {
  const value = weighted
    ? sql`sum(${col(column)} * n) * 1.0 / nullif(sum(case when ${col(column)} is null then 0 else n end), 0)`
    : sql`avg(${col(column)})`;
  return bytes ? sql`cast(round(${value}) as bigint)` : sql`cast(${value} as double precision)`;
}

/** Metrics history: raw samples (24 h), 5-minute buckets (30 days), rollup, retention and range reads. */
export function createMetricsRepository(db: Kysely<Database>) {
  return {
    async insertSamples(rows: MetricSampleRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await db
          .insertInto('metric_samples')
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .onConflict((oc) => oc.columns(['target', 'ts']).doNothing())
          .execute();
      }
    },

    /** Start of the newest bucket (null before the first rollup). */
    async lastBucketTs(): Promise<number | null> {
      const row = await db
        .selectFrom('metric_buckets')
        .select((eb) => eb.fn.max('ts').as('ts'))
        .executeTakeFirst();
      return row?.ts == null ? null : Number(row.ts);
    },

    async firstSampleTs(): Promise<number | null> {
      const row = await db
        .selectFrom('metric_samples')
        .select((eb) => eb.fn.min('ts').as('ts'))
        .executeTakeFirst();
      return row?.ts == null ? null : Number(row.ts);
    },

    /**
     * (Re)compute the buckets that start in [fromTs, toTs) from the raw samples: gauges averaged,
     * maxima kept, counters summed. Idempotent: a bucket computed again is replaced.
     */
    async rollup(fromTs: number, toTs: number): Promise<void> {
      const bucket = stepStart(BUCKET_MS);
      const gauges = GAUGES.map((c) => sql`${average(c, false, false)} as ${sql.ref(c)}`);
      const bytes = BYTE_GAUGES.map((c) => sql`${average(c, false, true)} as ${sql.ref(c)}`);
      const sums = COUNTERS.map((c) => sql`cast(sum(${col(c)}) as bigint) as ${sql.ref(c)}`);
      const columns = [...GAUGES, ...BYTE_GAUGES, ...COUNTERS];
      const updates = [...columns, 'project_id', 'container_name', 'n', 'cpu_max', 'mem_max', 'mem_limit'];
      await sql`
        insert into metric_buckets (target, ts, project_id, container_name, n, cpu_max, mem_max, mem_limit,
          ${sql.join(columns.map((c) => sql.ref(c)))})
        select target, ${bucket}, max(project_id), max(container_name), count(*), max(cpu), max(mem_used),
          max(mem_limit), ${sql.join([...gauges, ...bytes, ...sums])}
        from metric_samples
        where ts >= ${fromTs} and ts < ${toTs}
        group by target, ${bucket}
        on conflict (target, ts) do update set
          ${sql.join(updates.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}
      `.execute(db);
    },

    /** Delete raw samples and buckets older than their retention. */
    async deleteBefore(samplesBeforeTs: number, bucketsBeforeTs: number): Promise<void> {
      await db.deleteFrom('metric_samples').where('ts', '<', samplesBeforeTs).execute();
      await db.deleteFrom('metric_buckets').where('ts', '<', bucketsBeforeTs).execute();
    },

    /** Keep at most `max` rows in a table, deleting the oldest beyond; returns how many went. */
    async enforceBound(table: 'metric_samples' | 'metric_buckets', max: number): Promise<number> {
      const cutoff = await db
        .selectFrom(table)
        .select('ts')
        .orderBy('ts', 'desc')
        .limit(1)
        .offset(max)
        .executeTakeFirst();
      if (!cutoff) return 0;
      const res = await db.deleteFrom(table).where('ts', '<=', Number(cutoff.ts)).executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    async count(table: 'metric_samples' | 'metric_buckets'): Promise<number> {
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** Rows of a range, one per series key and step. */
    async series(q: SeriesQuery): Promise<SeriesRow[]> {
      const weighted = q.source === 'buckets';
      const table = sql.table(weighted ? 'metric_buckets' : 'metric_samples');
      const step = stepStart(q.stepMs);
      const where =
        'target' in q.filter
          ? sql`target = ${q.filter.target}`
          : 'targetPrefix' in q.filter
            ? sql`target like ${`${q.filter.targetPrefix}%`}`
            : sql`project_id = ${q.filter.projectId}`;
      const key = q.key === 'target' ? sql`target` : sql`coalesce(container_name, target)`;
      const n = weighted ? sql`cast(sum(n) as bigint)` : sql`count(*)`;
      const gauges = GAUGES.map((c) => sql`${average(c, weighted, false)} as ${sql.ref(c)}`);
      const bytes = BYTE_GAUGES.map((c) => sql`${average(c, weighted, true)} as ${sql.ref(c)}`);
      const sums = COUNTERS.map((c) => sql`cast(sum(${col(c)}) as bigint) as ${sql.ref(c)}`);
      const maxCpu = weighted ? sql`max(cpu_max)` : sql`max(cpu)`;
      const maxMem = weighted ? sql`max(mem_max)` : sql`max(mem_used)`;
      const result = await sql<SeriesRow>`
        select ${key} as key, max(target) as target_id, max(container_name) as name, ${step} as t, ${n} as n,
          ${maxCpu} as cpu_max, ${maxMem} as mem_max, max(mem_limit) as mem_limit,
          ${sql.join([...gauges, ...bytes, ...sums])}
        from ${table}
        where ${where} and ts >= ${q.fromTs} and ts < ${q.toTs}
        group by ${key}, ${step}
        order by 1, 4
      `.execute(db);
      return result.rows.map((r) => ({ ...r, t: Number(r.t), n: Number(r.n) }));
    },
  };
}

export type MetricsRepository = ReturnType<typeof createMetricsRepository>;
