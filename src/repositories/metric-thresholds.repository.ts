import type { Kysely } from 'kysely';
import type { Database, MetricThresholdRow } from '../db/schema.js';

/** Per-project CPU and memory thresholds. */
export function createMetricThresholdsRepository(db: Kysely<Database>) {
  return {
    get: (projectId: string) =>
      db.selectFrom('metric_thresholds').selectAll().where('project_id', '=', projectId).executeTakeFirst(),
    all: () => db.selectFrom('metric_thresholds').selectAll().execute(),
    put: (row: MetricThresholdRow) =>
      db
        .insertInto('metric_thresholds')
        .values(row)
        .onConflict((oc) =>
          oc.column('project_id').doUpdateSet({
            cpu_percent: row.cpu_percent,
            cpu_minutes: row.cpu_minutes,
            memory_percent: row.memory_percent,
            memory_minutes: row.memory_minutes,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
          }),
        )
        .execute(),
  };
}

export type MetricThresholdsRepository = ReturnType<typeof createMetricThresholdsRepository>;
