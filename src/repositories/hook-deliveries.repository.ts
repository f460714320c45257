import type { Kysely, Updateable } from 'kysely';
import type { Database, HookDeliveriesTable, HookDeliveryRow } from '../db/schema.js';
import { isUniqueViolation } from './routes.repository.js';

/** Webhook and deploy-hook deliveries, newest first by id (UUIDv7). */
export function createHookDeliveriesRepository(db: Kysely<Database>) {
  return {
    insert: (row: HookDeliveryRow) => db.insertInto('hook_deliveries').values(row).execute(),
    /** Insert a row carrying a `dedupe_key` and `payload_sha256`; false when a row already holds either. */
    async claim(row: HookDeliveryRow): Promise<boolean> {
      try {
        await db.insertInto('hook_deliveries').values(row).execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    /** Whether a verified delivery already holds this dedupe key. */
    hasKey: async (dedupeKey: string) =>
      (await db
        .selectFrom('hook_deliveries')
        .select('id')
        .where('dedupe_key', '=', dedupeKey)
        .executeTakeFirst()) !== undefined,
    update: (id: string, patch: Updateable<HookDeliveriesTable>) =>
      db.updateTable('hook_deliveries').set(patch).where('id', '=', id).execute(),
    listForProject: (projectId: string, limit: number) =>
      db
        .selectFrom('hook_deliveries')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    listRecent: (limit: number) =>
      db.selectFrom('hook_deliveries').selectAll().orderBy('id', 'desc').limit(limit).execute(),
    /** The newest delivery from GitHub whose signature checked out (it reached the panel for real). */
    lastVerifiedGithub: () =>
      db
        .selectFrom('hook_deliveries')
        .selectAll()
        .where('source', '=', 'github')
        .where('dedupe_key', 'is not', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
    /** Deliveries of the project whose deploy job still waits in the queue (oldest first). */
    queuedFor: (projectId: string) =>
      db
        .selectFrom('hook_deliveries as d')
        .innerJoin('jobs as j', 'j.id', 'd.job_id')
        .selectAll('d')
        .where('d.project_id', '=', projectId)
        .where('j.status', '=', 'queued')
        .orderBy('d.id')
        .execute(),
    /** Keep only the newest `keep` rejected rows: anyone can cause those, so they must not pile up. */
    pruneRejected: (keep: number) =>
      db
        .deleteFrom('hook_deliveries')
        .where('result', '=', 'rejected')
        .where('dedupe_key', 'is', null)
        .where(
          'id',
          'not in',
          db
            .selectFrom('hook_deliveries')
            .select('id')
            .where('result', '=', 'rejected')
            .where('dedupe_key', 'is', null)
            .orderBy('id', 'desc')
            .limit(keep),
        )
        .execute(),
  };
}

export type HookDeliveriesRepository = ReturnType<typeof createHookDeliveriesRepository>;
