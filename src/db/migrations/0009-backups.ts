import type { Kysely } from 'kysely';

/** App data backups: one policy per project and one row per backup run (its restic snapshots). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('backup_policies')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('schedule', 'text')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('before_deploy', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('volumes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('databases', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('target_secrets', 'text')
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('verify_schedule', 'text')
    .addColumn('repo_password', 'text', (c) => c.notNull())
    .addColumn('last_status', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_job_id', 'text')
    .addColumn('last_verify_at', 'text')
    .addColumn('last_verify_status', 'text')
    .addColumn('last_verify_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('backup_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('job_id', 'text')
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('added', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('items', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('backup_runs_project_idx')
    .on('backup_runs')
    .columns(['project_id', 'id'])
    .execute();
}
