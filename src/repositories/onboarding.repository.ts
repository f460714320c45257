import type { Kysely, Selectable } from 'kysely';
import type { Database, OnboardingTable } from '../db/schema.js';

/** Per-user onboarding state. */
export function createOnboardingRepository(db: Kysely<Database>) {
  return {
    find: (userId: string) =>
      db.selectFrom('onboarding').selectAll().where('user_id', '=', userId).executeTakeFirst(),
    upsert: (row: Selectable<OnboardingTable>) =>
      db
        .insertInto('onboarding')
        .values(row)
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({
            completed: row.completed,
            completed_at: row.completed_at,
            steps: row.steps,
            updated_at: row.updated_at,
          }),
        )
        .execute(),
  };
}

export type OnboardingRepository = ReturnType<typeof createOnboardingRepository>;
