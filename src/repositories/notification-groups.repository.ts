import type { Kysely } from 'kysely';
import type { Database, NotificationGroupRow } from '../db/schema.js';

/** Grouping state of repeated events: one row per group key while the group is open. */
export function createNotificationGroupsRepository(db: Kysely<Database>) {
  return {
    get: (key: string) =>
      db.selectFrom('notification_groups').selectAll().where('key', '=', key).executeTakeFirst(),
    /** Open (or restart) a group. */
    put: (row: NotificationGroupRow) =>
      db
        .insertInto('notification_groups')
        .values(row)
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            event: row.event,
            first_at: row.first_at,
            last_at: row.last_at,
            last_sent_at: row.last_sent_at,
            suppressed: row.suppressed,
            sample: row.sample,
          }),
        )
        .execute(),
    /** Count one more occurrence that was not sent. */
    suppress: (key: string, atIso: string) =>
      db
        .updateTable('notification_groups')
        .set((eb) => ({ suppressed: eb('suppressed', '+', 1), last_at: atIso }))
        .where('key', '=', key)
        .execute(),
    /** Groups with unsent occurrences whose last message went out before `beforeIso`. */
    summariesDue: (beforeIso: string) =>
      db
        .selectFrom('notification_groups')
        .selectAll()
        .where('suppressed', '>', 0)
        .where('last_sent_at', '<=', beforeIso)
        .execute(),
    /** After a summary went out: nothing unsent, and the next summary counts from now. */
    markSummarized: (key: string, count: number, atIso: string) =>
      db
        .updateTable('notification_groups')
        .set((eb) => ({ suppressed: eb('suppressed', '-', count), last_sent_at: atIso }))
        .where('key', '=', key)
        .execute(),
    /** Close quiet groups: nothing unsent and no occurrence since `beforeIso`. */
    closeQuiet: (beforeIso: string) =>
      db
        .deleteFrom('notification_groups')
        .where('suppressed', '=', 0)
        .where('last_at', '<', beforeIso)
        .execute(),
  };
}

export type NotificationGroupsRepository = ReturnType<typeof createNotificationGroupsRepository>;
