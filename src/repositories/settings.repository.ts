import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Key → JSON settings rows; secret values arrive already encrypted. */
export function createSettingsRepository(db: Kysely<Database>) {
  return {
    all: () => db.selectFrom('settings').selectAll().execute(),
    /** Upserts and deletes in one transaction (`null` deletes the key). */
    apply: (
      changes: { key: string; value: string | null; secret: boolean }[],
      nowIso: string,
      actor: string | null,
    ) =>
      db.transaction().execute(async (trx) => {
        for (const change of changes) {
          if (change.value === null) {
            await trx.deleteFrom('settings').where('key', '=', change.key).execute();
            continue;
          }
          const row = {
            key: change.key,
            value: change.value,
            secret: change.secret ? 1 : 0,
            updated_at: nowIso,
            updated_by: actor,
          };
          await trx
            .insertInto('settings')
            .values(row)
            .onConflict((oc) =>
              oc
                .column('key')
                .doUpdateSet({ value: row.value, secret: row.secret, updated_at: nowIso, updated_by: actor }),
            )
            .execute();
        }
      }),
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
