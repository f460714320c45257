import type { Kysely, Selectable } from 'kysely';
import type { Database, PortReservationsTable } from '../db/schema.js';

/** One reserved host port. */
export type PortReservationRow = Selectable<PortReservationsTable>;

/** Host ports handed out to projects; `port` is the primary key, so a port is held at most once. */
export function createPortReservationsRepository(db: Kysely<Database>) {
  return {
    /** Every reservation, lowest port first. */
    list: (): Promise<PortReservationRow[]> =>
      db.selectFrom('port_reservations').selectAll().orderBy('port').execute(),
    /** The reservations of one project. */
    byProject: (projectId: string): Promise<PortReservationRow[]> =>
      db
        .selectFrom('port_reservations')
        .selectAll()
        .where('project_id', '=', projectId)
        .orderBy('port')
        .execute(),
    /** One port's reservation, if any. */
    get: (port: number): Promise<PortReservationRow | undefined> =>
      db.selectFrom('port_reservations').selectAll().where('port', '=', port).executeTakeFirst(),
    /**
     * Claim a port: one insert in its own transaction, decided by the unique key. Returns false (no
     * error, no aborted transaction) when another caller holds the port.
     */
    tryInsert: async (row: PortReservationRow): Promise<boolean> => {
      const inserted = await db
        .insertInto('port_reservations')
        .values(row)
        .onConflict((oc) => oc.column('port').doNothing())
        .returning('port')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    /** Release one port; returns how many rows went. */
    deletePort: async (port: number): Promise<number> => {
      const r = await db.deleteFrom('port_reservations').where('port', '=', port).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    /** Release every port of a project; returns how many rows went. */
    deleteProject: async (projectId: string): Promise<number> => {
      const r = await db
        .deleteFrom('port_reservations')
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

/** The port reservations repository. */
export type PortReservationsRepository = ReturnType<typeof createPortReservationsRepository>;
