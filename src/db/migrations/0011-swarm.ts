import type { Kysely } from 'kysely';

/**
 * Where a project runs: `host` (the one engine, today's behaviour and the default for every existing
 * row) or `swarm` (Swarm services and stacks through a manager), and how many replicas a Swarm
 * project asks for (null on the host).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('target', 'text', (c) => c.notNull().defaultTo('host'))
    .execute();
  await db.schema.alterTable('projects').addColumn('replicas', 'integer').execute();
}
