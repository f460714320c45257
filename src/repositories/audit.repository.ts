import type { Kysely } from 'kysely';
import type { AuditRow, Database } from '../db/schema.js';

/** Filters for the audit list; `cursor` is the id of the last row of the previous page. */
export interface AuditQuery {
  action?: string | undefined;
  actor?: string | undefined;
  projectId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The append-only audit log. */
export function createAuditRepository(db: Kysely<Database>) {
  return {
    insert: (row: AuditRow) => db.insertInto('audit_log').values(row).execute(),
    /** Newest first; returns `limit + 1` rows at most so the caller can tell whether there is a next page. */
    list: (q: AuditQuery) => {
      let query = db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (q.action) query = query.where('action', '=', q.action);
      if (q.actor) query = query.where('actor', '=', q.actor);
      if (q.projectId) query = query.where('project_id', '=', q.projectId);
      if (q.cursor) query = query.where('id', '<', q.cursor);
      return query.execute();
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
