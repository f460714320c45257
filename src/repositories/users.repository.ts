import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/schema.js';

/** Users (GitHub and local). */
export function createUsersRepository(db: Kysely<Database>) {
  return {
    findById: (id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findByLogin: (login: string) =>
      db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst(),
    count: async () =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    insert: async (row: UserRow) => {
      await db.insertInto('users').values(row).execute();
      return row;
    },
    update: (id: string, patch: Partial<Omit<UserRow, 'id'>>) =>
      db.updateTable('users').set(patch).where('id', '=', id).execute(),
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
