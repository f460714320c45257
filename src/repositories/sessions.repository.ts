import type { Kysely } from 'kysely';
import type { Database, SessionRow } from '../db/schema.js';

/** Server-side sessions, keyed by the hash of the cookie value. */
export function createSessionsRepository(db: Kysely<Database>) {
  return {
    insert: (row: SessionRow) => db.insertInto('sessions').values(row).execute(),
    findActive: (id: string, nowIso: string) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '>', nowIso)
        .where('absolute_expires_at', '>', nowIso)
        .executeTakeFirst(),
    /** Renew the idle expiry; `absoluteExpiresAt` moves the hard limit (the session-length setting changed). */
    touch: (id: string, lastSeenAt: string, idleExpiresAt: string, absoluteExpiresAt?: string) =>
      db
        .updateTable('sessions')
        .set({
          last_seen_at: lastSeenAt,
          idle_expires_at: idleExpiresAt,
          ...(absoluteExpiresAt ? { absolute_expires_at: absoluteExpiresAt } : {}),
        })
        .where('id', '=', id)
        .execute(),
    revoke: async (id: string, nowIso: string) => {
      const res = await db
        .updateTable('sessions')
        .set({ revoked_at: nowIso })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** End every session of a user (access withdrawn, disabled, revoked by an admin). */
    revokeAllForUser: (userId: string, nowIso: string) =>
      db
        .updateTable('sessions')
        .set({ revoked_at: nowIso })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute(),
    /** Active sessions and the latest activity per user. */
    activityByUser: (nowIso: string) =>
      db
        .selectFrom('sessions')
        .select((eb) => ['user_id', eb.fn.countAll<number>().as('n'), eb.fn.max('last_seen_at').as('last')])
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '>', nowIso)
        .where('absolute_expires_at', '>', nowIso)
        .groupBy('user_id')
        .execute(),
    deleteExpired: (nowIso: string) =>
      db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('absolute_expires_at', '<=', nowIso), eb('revoked_at', 'is not', null)]))
        .execute(),
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
