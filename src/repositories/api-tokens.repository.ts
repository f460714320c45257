import type { Kysely } from 'kysely';
import type { ApiTokenRow, Database } from '../db/schema.js';

/** API tokens (`wp_…`), stored hashed. */
export function createApiTokensRepository(db: Kysely<Database>) {
  return {
    insert: (row: ApiTokenRow) => db.insertInto('api_tokens').values(row).execute(),
    listForUser: (userId: string) =>
      db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .orderBy('id', 'desc')
        .execute(),
    listAll: () =>
      db.selectFrom('api_tokens').selectAll().where('revoked_at', 'is', null).orderBy('id', 'desc').execute(),
    findActiveByHash: (tokenHash: string, nowIso: string) =>
      db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso)]))
        .executeTakeFirst(),
    touch: (id: string, nowIso: string) =>
      db.updateTable('api_tokens').set({ last_used_at: nowIso }).where('id', '=', id).execute(),
    revoke: async (id: string, nowIso: string) => {
      const res = await db
        .updateTable('api_tokens')
        .set({ revoked_at: nowIso })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Revoke every token of a user. */
    revokeAllForUser: (userId: string, nowIso: string) =>
      db
        .updateTable('api_tokens')
        .set({ revoked_at: nowIso })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute(),
    /** Usable tokens and their latest use per user. */
    activityByUser: (nowIso: string) =>
      db
        .selectFrom('api_tokens')
        .select((eb) => ['user_id', eb.fn.countAll<number>().as('n'), eb.fn.max('last_used_at').as('last')])
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso)]))
        .groupBy('user_id')
        .execute(),
  };
}

export type ApiTokensRepository = ReturnType<typeof createApiTokensRepository>;
