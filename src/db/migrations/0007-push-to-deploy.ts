import type { Kysely } from 'kysely';

/**
 * Push to deploy: the branch a repo-backed project tracks and whether pushes deploy it (added only when
 * missing: the project-settings change adds the same two columns), every webhook / deploy-hook
 * delivery with what it led to, and one hashed deploy-hook token per project.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = await db.introspection.getTables();
  const projects = tables.find((t) => t.name === 'projects');
  const has = (column: string) => projects?.columns.some((c) => c.name === column) ?? false;
  // null: the repository's default branch.
  if (!has('branch')) await db.schema.alterTable('projects').addColumn('branch', 'text').execute();
  if (!has('auto_deploy')) {
    await db.schema
      .alterTable('projects')
      .addColumn('auto_deploy', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  }

  await db.schema
    .createTable('hook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    // `github:<X-GitHub-Delivery>` on the first row of a verified delivery: a redelivery cannot claim it again.
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    // SHA-256 of a verified body: the signature does not cover X-GitHub-Delivery, so a captured body
    // replayed under a new delivery id must not deploy again either.
    .addColumn('payload_sha256', 'text', (c) => c.unique())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('repo', 'text')
    .addColumn('ref', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('project_id', 'text')
    .addColumn('job_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('hook_deliveries_project_idx')
    .on('hook_deliveries')
    .columns(['project_id', 'id'])
    .execute();
  await db.schema
    .createIndex('hook_deliveries_result_idx')
    .on('hook_deliveries')
    .columns(['result', 'id'])
    .execute();
  await db.schema.createIndex('hook_deliveries_job_idx').on('hook_deliveries').column('job_id').execute();

  await db.schema
    .createTable('deploy_hooks')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hint', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
}
