import type { Kysely } from 'kysely';
import type { Database, DeploymentRow } from '../db/schema.js';

/** One row per deploy attempt of a project. */
export function createDeploymentsRepository(db: Kysely<Database>) {
  return {
    insert: (row: DeploymentRow) => db.insertInto('deployments').values(row).execute(),
    finish: (
      id: string,
      status: 'succeeded' | 'failed',
      finishedAt: string,
      details: Record<string, unknown>,
    ) =>
      db
        .updateTable('deployments')
        .set({ status, finished_at: finishedAt, details: JSON.stringify(details) })
        .where('id', '=', id)
        .execute(),
    listForProject: (projectId: string) =>
      db
        .selectFrom('deployments')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('id', 'desc')
        .execute(),
  };
}

export type DeploymentsRepository = ReturnType<typeof createDeploymentsRepository>;
