import type { Kysely } from 'kysely';

/**
 * Users an admin can disable, whose role follows the access settings unless an admin set it, and who
 * remember why they were let in (an org admission is re-checked while they keep using the panel).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('role_source', 'text', (c) => c.notNull().defaultTo('settings'))
    .execute();
  await db.schema.alterTable('users').addColumn('admitted_via', 'text').execute();
  await db.schema.alterTable('users').addColumn('access_checked_at', 'text').execute();
  await db.schema.createIndex('users_github_id').on('users').column('github_id').execute();
}
