import type { Kysely } from 'kysely';
import type { Database, NewProject, ProjectUpdate } from '../db/schema.js';

/** Projects: quick services, compose projects (template or existing) and forwards. */
export function createProjectsRepository(db: Kysely<Database>) {
  return {
    insert: (row: NewProject) => db.insertInto('projects').values(row).execute(),
    findById: (id: string) => db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Every project not removed, newest first. */
    listActive: () =>
      db.selectFrom('projects').selectAll().where('status', '!=', 'removed').orderBy('id', 'desc').execute(),
    /** A live project (not removed) that already uses this subdomain. */
    findActiveBySubdomain: (subdomain: string) =>
      db
        .selectFrom('projects')
        .selectAll()
        .where('subdomain', '=', subdomain)
        .where('status', '!=', 'removed')
        .executeTakeFirst(),
    findByComposeProject: (name: string) =>
      db
        .selectFrom('projects')
        .selectAll()
        .where('compose_project', '=', name)
        .where('status', '!=', 'removed')
        .executeTakeFirst(),
    update: (id: string, patch: ProjectUpdate) =>
      db.updateTable('projects').set(patch).where('id', '=', id).execute(),
    /** Update only while the status is still `expected` (a job that took the project over wins); true when it did. */
    async updateIfStatus(id: string, expected: string, patch: ProjectUpdate): Promise<boolean> {
      const res = await db
        .updateTable('projects')
        .set(patch)
        .where('id', '=', id)
        .where('status', '=', expected as ProjectUpdate['status'] & string)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}

export type ProjectsRepository = ReturnType<typeof createProjectsRepository>;
