import type { Insertable, Kysely, Updateable } from 'kysely';
import type { BackupPoliciesTable, BackupRunsTable, Database } from '../db/schema.js';

/** Backup policies (one per project) and backup runs. */
export function createBackupsRepository(db: Kysely<Database>) {
  return {
    findPolicy: (projectId: string) =>
      db.selectFrom('backup_policies').selectAll().where('project_id', '=', projectId).executeTakeFirst(),
    /** Every policy of a live project (the scheduler's and the dashboard's list). */
    listPolicies: () =>
      db
        .selectFrom('backup_policies')
        .innerJoin('projects', 'projects.id', 'backup_policies.project_id')
        .selectAll('backup_policies')
        .select('projects.name as project_name')
        .where('projects.status', '!=', 'removed')
        .orderBy('backup_policies.project_id')
        .execute(),
    /** Insert or replace a policy row (the run state columns are kept on update). */
    async savePolicy(row: Insertable<BackupPoliciesTable>): Promise<void> {
      const { project_id: _id, created_at: _created, ...update } = row;
      await db
        .insertInto('backup_policies')
        .values(row)
        .onConflict((oc) => oc.column('project_id').doUpdateSet(update))
        .execute();
    },
    updatePolicy: (projectId: string, patch: Updateable<BackupPoliciesTable>) =>
      db.updateTable('backup_policies').set(patch).where('project_id', '=', projectId).execute(),

    insertRun: (row: Insertable<BackupRunsTable>) => db.insertInto('backup_runs').values(row).execute(),
    updateRun: (id: string, patch: Updateable<BackupRunsTable>) =>
      db.updateTable('backup_runs').set(patch).where('id', '=', id).execute(),
    findRun: (projectId: string, id: string) =>
      db
        .selectFrom('backup_runs')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('id', '=', id)
        .executeTakeFirst(),
    /** Runs of a project in one repository, newest first. */
    listRuns: (projectId: string, location: string, limit = 500) =>
      db
        .selectFrom('backup_runs')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('location', '=', location)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    /** Runs a crash cut off (left `running` by the given jobs). */
    listRunningByJobs: (jobIds: string[]) =>
      jobIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('backup_runs')
            .selectAll()
            .where('job_id', 'in', jobIds)
            .where('status', '=', 'running')
            .execute(),
    deleteRuns: async (ids: string[]) => {
      if (ids.length) await db.deleteFrom('backup_runs').where('id', 'in', ids).execute();
    },
  };
}

export type BackupsRepository = ReturnType<typeof createBackupsRepository>;
