import { type Kysely, PostgresAdapter } from 'kysely';
import type { Database, JobRow, JobsTable } from '../db/schema.js';

/** Filters for the job list; `cursor` is the id of the last row of the previous page. */
export interface JobQuery {
  status?: JobsTable['status'] | undefined;
  type?: string | undefined;
  projectId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The statuses a job can no longer leave. */
export const FINISHED_STATUSES = ['succeeded', 'failed', 'canceled', 'interrupted'] as const;

/** The `jobs` table: queue rows, claiming and state transitions. */
export function createJobsRepository(db: Kysely<Database>) {
  // SKIP LOCKED lets several claimers pass each other on PostgreSQL; SQLite serialises writers anyway.
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  return {
    insert: (row: JobRow) => db.insertInto('jobs').values(row).execute(),
    get: (id: string) => db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Newest first; returns `limit + 1` rows at most so the caller can tell whether there is a next page. */
    list: (q: JobQuery) => {
      let query = db
        .selectFrom('jobs')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.type) query = query.where('type', '=', q.type);
      if (q.projectId) query = query.where('project_id', '=', q.projectId);
      if (q.cursor) query = query.where('id', '<', q.cursor);
      return query.execute();
    },
    /**
     * Atomically move the oldest runnable queued job to `running`: a job whose project has no running
     * job and no older queued job (so a project's jobs run one at a time, in order). Null when none.
     */
    async claimNext(nowIso: string): Promise<JobRow | null> {
      let candidate = db
        .selectFrom('jobs as j')
        .select('j.id')
        .where('j.status', '=', 'queued')
        .where((eb) =>
          eb.or([
            eb('j.project_id', 'is', null),
            eb.and([
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('jobs as r')
                    .select('r.id')
                    .whereRef('r.project_id', '=', 'j.project_id')
                    .where('r.status', '=', 'running'),
                ),
              ),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('jobs as e')
                    .select('e.id')
                    .whereRef('e.project_id', '=', 'j.project_id')
                    .where('e.status', '=', 'queued')
                    .whereRef('e.id', '<', 'j.id'),
                ),
              ),
            ]),
          ]),
        )
        .orderBy('j.id')
        .limit(1);
      if (postgres) candidate = candidate.forUpdate().skipLocked();
      const row = await db
        .updateTable('jobs')
        .set({ status: 'running', started_at: nowIso })
        .where('id', '=', candidate)
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      return row ?? null;
    },
    /** Set the final state of a running job; false when it was not running any more. */
    async finish(
      id: string,
      patch: { status: JobsTable['status']; result: string | null; error: string | null; finishedAt: string },
    ): Promise<boolean> {
      const res = await db
        .updateTable('jobs')
        .set({
          status: patch.status,
          result: patch.result,
          error: patch.error,
          finished_at: patch.finishedAt,
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** Cancel a job that is still queued; false when it already left the queue. */
    async cancelQueued(id: string, nowIso: string, error: string | null): Promise<boolean> {
      const res = await db
        .updateTable('jobs')
        .set({ status: 'canceled', cancel_requested: 1, finished_at: nowIso, error })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** Flag a running job for cancellation; false when it is not running. */
    async requestCancel(id: string): Promise<boolean> {
      const res = await db
        .updateTable('jobs')
        .set({ cancel_requested: 1 })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** Every job left `running` (by a crash), oldest first. */
    listRunning: () =>
      db.selectFrom('jobs').selectAll().where('status', '=', 'running').orderBy('id').execute(),
    /** Whether any job is queued (the runner's cheap idle check). */
    async hasQueued(): Promise<boolean> {
      const row = await db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'queued')
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;
