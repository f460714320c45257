import { type Insertable, type Kysely, sql } from 'kysely';
import type { Database, UsersTable } from '../db/schema.js';

/** Users (GitHub and local). GitHub logins compare case-insensitively, as GitHub does. */
export function createUsersRepository(db: Kysely<Database>) {
  const findById = (id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    findById,
    findByLogin: (login: string) =>
      db
        .selectFrom('users')
        .selectAll()
        .where(sql<string>`lower(login)`, '=', login.toLowerCase())
        .executeTakeFirst(),
    findByGithubId: (githubId: string) =>
      db.selectFrom('users').selectAll().where('github_id', '=', githubId).executeTakeFirst(),
    list: () => db.selectFrom('users').selectAll().orderBy('login').execute(),
    count: async () =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    insert: async (row: Insertable<UsersTable>) => {
      await db.insertInto('users').values(row).execute();
      const stored = await findById(row.id);
      if (!stored) throw new Error('user insert did not persist');
      return stored;
    },
    update: (id: string, patch: Partial<Omit<Insertable<UsersTable>, 'id'>>) =>
      db.updateTable('users').set(patch).where('id', '=', id).execute(),
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
