import type { Kysely } from 'kysely';
import type { Database, DeployHookRow } from '../db/schema.js';

/** Deploy-hook tokens: one per project, stored as a SHA-256 hash. */
export function createDeployHooksRepository(db: Kysely<Database>) {
  return {
    /** Set (or replace: rotation) the project's token. */
    async put(row: DeployHookRow): Promise<void> {
      await db.deleteFrom('deploy_hooks').where('project_id', '=', row.project_id).execute();
      await db.insertInto('deploy_hooks').values(row).execute();
    },
    find: (projectId: string) =>
      db.selectFrom('deploy_hooks').selectAll().where('project_id', '=', projectId).executeTakeFirst(),
    touch: (projectId: string, nowIso: string) =>
      db
        .updateTable('deploy_hooks')
        .set({ last_used_at: nowIso })
        .where('project_id', '=', projectId)
        .execute(),
  };
}

export type DeployHooksRepository = ReturnType<typeof createDeployHooksRepository>;
