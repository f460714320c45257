import type { Kysely, Selectable } from 'kysely';
import type { Database, LoginTokensTable } from '../db/schema.js';

/** Single-use login tokens, stored hashed. */
export function createLoginTokensRepository(db: Kysely<Database>) {
  return {
    insert: (row: Selectable<LoginTokensTable>) => db.insertInto('login_tokens').values(row).execute(),
    /** Marks the token used if it is unused and unexpired; true when this call consumed it. */
    consume: async (tokenHash: string, nowIso: string) => {
      const res = await db
        .updateTable('login_tokens')
        .set({ used_at: nowIso })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', nowIso)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    findByHash: (tokenHash: string) =>
      db.selectFrom('login_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),
  };
}

export type LoginTokensRepository = ReturnType<typeof createLoginTokensRepository>;
