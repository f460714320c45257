import type { Kysely } from 'kysely';

/**
 * The panel as users live in it: a job's title for people, why a project has its status, a local
 * admin's password and passkeys. Identical on SQLite and PostgreSQL (text, int booleans).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('title', 'text').execute();
  // Why the project is degraded/missing/failed, in words ("nothing answers on port 3000 yet").
  await db.schema.alterTable('projects').addColumn('status_reason', 'text').execute();
  // argon2id PHC string; null while the admin has set no password.
  await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();

  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey()) // credential id, base64url
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull()) // COSE key, base64url
    .addColumn('counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('transports', 'text', (c) => c.notNull().defaultTo('[]')) // JSON
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_user_idx')
    .on('webauthn_credentials')
    .column('user_id')
    .execute();
}
