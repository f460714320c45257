import type { Kysely } from 'kysely';
import type { Database, WebauthnCredentialRow } from '../db/schema.js';

/** Passkeys (WebAuthn credentials) of local users. */
export function createWebauthnCredentialsRepository(db: Kysely<Database>) {
  return {
    insert: (row: WebauthnCredentialRow) => db.insertInto('webauthn_credentials').values(row).execute(),
    byUser: (userId: string) =>
      db
        .selectFrom('webauthn_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute(),
    get: (id: string) =>
      db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst(),
    count: async () =>
      Number(
        (
          await db
            .selectFrom('webauthn_credentials')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** Record a use: the authenticator's new signature counter. */
    used: (id: string, counter: number, at: string) =>
      db
        .updateTable('webauthn_credentials')
        .set({ counter, last_used_at: at })
        .where('id', '=', id)
        .execute(),
    delete: async (id: string, userId: string) => {
      const r = await db
        .deleteFrom('webauthn_credentials')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

/** The passkeys repository. */
export type WebauthnCredentialsRepository = ReturnType<typeof createWebauthnCredentialsRepository>;
