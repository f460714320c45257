import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, ReleasesTable } from '../db/schema.js';

/** Releases of projects: what each successful deploy ran, and which one is live. */
export function createReleasesRepository(db: Kysely<Database>) {
  return {
    insert: (row: Insertable<ReleasesTable>) => db.insertInto('releases').values(row).execute(),
    update: (id: string, patch: Updateable<ReleasesTable>) =>
      db.updateTable('releases').set(patch).where('id', '=', id).execute(),
    find: (projectId: string, id: string) =>
      db
        .selectFrom('releases')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst(),
    /** The project's finished releases, newest first. */
    list: (projectId: string) =>
      db
        .selectFrom('releases')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('status', '=', 'ready')
        .orderBy('seq', 'desc')
        .execute(),
    live: (projectId: string) =>
      db
        .selectFrom('releases')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('live', '=', 1)
        .executeTakeFirst(),
    /** The next release number of a project (pending and finished ones count: numbers are never reused). */
    async nextSeq(projectId: string): Promise<number> {
      const row = await db
        .selectFrom('releases')
        .select((eb) => eb.fn.max('seq').as('max'))
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return Number(row?.max ?? 0) + 1;
    },
    /** Make `id` the project's live release (every other one not live); callers wrap it in a transaction. */
    async setLive(projectId: string, id: string, patch: Updateable<ReleasesTable>): Promise<void> {
      await db
        .updateTable('releases')
        .set({ live: 0 })
        .where('project_id', '=', projectId)
        .where('id', '!=', id)
        .execute();
      await db
        .updateTable('releases')
        .set({ ...patch, live: 1, status: 'ready' })
        .where('id', '=', id)
        .execute();
    },
    /** Pending releases of a project (a deploy that was cut off). */
    pending: (projectId: string) =>
      db
        .selectFrom('releases')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('status', '=', 'pending')
        .execute(),
    delete: (id: string) => db.deleteFrom('releases').where('id', '=', id).execute(),
    /** Image ids every kept release of every project holds (pruning never removes those). */
    async allImages(): Promise<string[]> {
      const rows = await db.selectFrom('releases').select('images').execute();
      return rows.map((r) => r.images);
    },
  };
}

export type ReleasesRepository = ReturnType<typeof createReleasesRepository>;
