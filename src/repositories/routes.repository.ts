import type { Kysely, Updateable } from 'kysely';
import type { Database, RouteRow, RoutesTable } from '../db/schema.js';
import { conflict } from '../domain/errors.js';
import { newId } from '../lib/ids.js';

/** True for a unique-constraint violation on either engine (PostgreSQL 23505, SQLite CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const taken = (hostname: string) =>
  conflict(`${hostname} is already routed by another project; pick another subdomain or remove that project`);

/** What `claim` did: the row now owned by the project, whether it is new, and the service it had before. */
export interface RouteClaim {
  row: RouteRow;
  created: boolean;
  previousService: string | null;
}

/** The panel's own routes (hostname unique): the only rules and DNS records it may ever touch. */
export function createRoutesRepository(db: Kysely<Database>) {
  return {
    all: () => db.selectFrom('routes').selectAll().orderBy('hostname').execute(),
    byHostname: (hostname: string) =>
      db.selectFrom('routes').selectAll().where('hostname', '=', hostname).executeTakeFirst(),
    byProject: (projectId: string) =>
      db.selectFrom('routes').selectAll().where('project_id', '=', projectId).execute(),
    /**
     * Claims `hostname` for `projectId` (the unique constraint decides races): a row of the same
     * project is reused (service updated), an orphaned row (project deleted) is taken over, a row
     * of another project is a CONFLICT.
     */
    async claim(
      input: { hostname: string; service: string; projectId: string | null },
      nowIso: string,
    ): Promise<RouteClaim> {
      const q = db;
      const existing = await q
        .selectFrom('routes')
        .selectAll()
        .where('hostname', '=', input.hostname)
        .executeTakeFirst();
      if (existing) {
        if (existing.project_id !== null && existing.project_id !== input.projectId)
          throw taken(input.hostname);
        const row = await q
          .updateTable('routes')
          .set({ service: input.service, project_id: input.projectId, updated_at: nowIso })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { row, created: false, previousService: existing.service };
      }
      try {
        const row = await q
          .insertInto('routes')
          .values({
            id: newId(),
            hostname: input.hostname,
            service: input.service,
            project_id: input.projectId,
            ingress_state: 'pending',
            dns_state: 'pending',
            dns_record_id: null,
            created_at: nowIso,
            updated_at: nowIso,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { row, created: true, previousService: null };
      } catch (err) {
        if (isUniqueViolation(err)) throw taken(input.hostname);
        throw err;
      }
    },
    update: (id: string, patch: Updateable<RoutesTable>) =>
      db.updateTable('routes').set(patch).where('id', '=', id).execute(),
    delete: (id: string) => db.deleteFrom('routes').where('id', '=', id).execute(),
  };
}

/** The routes repository. */
export type RoutesRepository = ReturnType<typeof createRoutesRepository>;
