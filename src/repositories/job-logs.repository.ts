import type { Kysely } from 'kysely';
import type { Database, JobLogRow } from '../db/schema.js';

// Rows per INSERT: 5 parameters each stays far below SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_INSERT = 1000;

/** The `job_logs` table: one row per log line, ordered by `seq` within a job. */
export function createJobLogsRepository(db: Kysely<Database>) {
  return {
    /** Insert lines in one transaction (chunked into multi-row INSERTs). */
    async insertMany(rows: readonly JobLogRow[]): Promise<void> {
      if (rows.length === 0) return;
      if (rows.length <= ROWS_PER_INSERT) {
        await db.insertInto('job_logs').values(rows).execute();
        return;
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          await trx
            .insertInto('job_logs')
            .values(rows.slice(i, i + ROWS_PER_INSERT))
            .execute();
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
