import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Database, JobLogRow } from '../db/schema.js';

/** A line to store (the job id is given once per batch). */
export type NewJobLogLine = Omit<JobLogRow, 'job_id'>;

// Rows per INSERT. Each statement carries one JSON parameter, so its text (and its preparation)
// stays the same size however many lines it holds: bulk log ingestion is the hot path.
const ROWS_PER_INSERT = 5000;

/** The `job_logs` table: one row per log line, ordered by `seq` within a job. */
export function createJobLogsRepository(db: Kysely<Database>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  const insertChunk = (executor: Kysely<Database>, jobId: string, rows: readonly NewJobLogLine[]) => {
    const json = JSON.stringify(rows.map((r) => [r.seq, r.ts, r.stream, r.text]));
    return postgres
      ? sql`insert into job_logs (job_id, seq, ts, stream, text)
            select ${jobId}, (x->>0)::int, x->>1, x->>2, x->>3 from json_array_elements(${json}::json) as x`.execute(
          executor,
        )
      : sql`insert into job_logs (job_id, seq, ts, stream, text)
            select ${jobId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                   json_extract(value, '$[2]'), json_extract(value, '$[3]') from json_each(${json})`.execute(
          executor,
        );
  };

  return {
    /** Insert lines of one job in one transaction (in chunks, seq order kept). */
    async insertMany(jobId: string, rows: readonly NewJobLogLine[]): Promise<void> {
      if (rows.length === 0) return;
      if (rows.length <= ROWS_PER_INSERT) {
        await insertChunk(db, jobId, rows);
        return;
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          await insertChunk(trx, jobId, rows.slice(i, i + ROWS_PER_INSERT));
        }
      });
    },
    /** Lines with `seq > after`, in order, at most `limit`. */
    listAfter: (jobId: string, after: number, limit: number) =>
      db
        .selectFrom('job_logs')
        .selectAll()
        .where('job_id', '=', jobId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(limit)
        .execute(),
    /** The highest stored seq of a job (0 when it has no lines). */
    async lastSeq(jobId: string): Promise<number> {
      const row = await db
        .selectFrom('job_logs')
        .select((eb) => eb.fn.max('seq').as('last'))
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },
  };
}

export type JobLogsRepository = ReturnType<typeof createJobLogsRepository>;
