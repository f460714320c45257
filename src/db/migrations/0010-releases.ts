import type { Kysely } from 'kysely';

/**
 * Releases: one row per successful deploy of a project (what ran, where, who), the one that serves
 * marked `live`. `content` is encrypted (the container spec with its env, or the resolved Compose
 * model, which may hold resolved secrets); `images` and the rest are plain for the list.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('releases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('live', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('images', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('commit_sha', 'text')
    .addColumn('host_port', 'integer')
    .addColumn('compose_project', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('actor', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'text')
    .execute();
  await db.schema
    .createIndex('releases_project_seq')
    .on('releases')
    .columns(['project_id', 'seq'])
    .unique()
    .execute();
}
