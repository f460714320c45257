import type { Kysely } from 'kysely';
import type { Database, NotificationAttemptRow, NotificationDeliveryRow } from '../db/schema.js';

/** Filters of the attempt log; `cursor` is the id of the last attempt of the previous page. */
export interface AttemptQuery {
  channelId?: string | undefined;
  ok?: boolean | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The durable delivery queue (one row per event and channel) and its attempt log. */
export function createNotificationDeliveriesRepository(db: Kysely<Database>) {
  return {
    insertMany: async (rows: NotificationDeliveryRow[]) => {
      if (rows.length > 0) await db.insertInto('notification_deliveries').values(rows).execute();
    },
    get: (id: string) =>
      db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Pending deliveries due at `nowIso`, oldest due first. */
    due: (nowIso: string, limit: number) =>
      db
        .selectFrom('notification_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', nowIso)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute(),
    /** The earliest time a pending delivery is due (null when none is pending). */
    async nextDue(): Promise<string | null> {
      const row = await db
        .selectFrom('notification_deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('next'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return (row?.next as string | null | undefined) ?? null;
    },
    /**
     * Take a due delivery for one attempt by pushing its due time to `leaseUntil`: a crash mid-send
     * leaves it pending, and it is tried again once the lease runs out. False when another claim won.
     */
    async claim(id: string, dueAt: string, leaseUntil: string): Promise<boolean> {
      const res = await db
        .updateTable('notification_deliveries')
        .set({ next_attempt_at: leaseUntil })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', dueAt)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** Record an attempt and the delivery's new state together. */
    async recordAttempt(
      attempt: NotificationAttemptRow,
      next: { status: NotificationDeliveryRow['status']; nextAttemptAt: string; error: string | null },
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('notification_attempts').values(attempt).execute();
        await trx
          .updateTable('notification_deliveries')
          .set({
            status: next.status,
            attempts: attempt.attempt,
            next_attempt_at: next.nextAttemptAt,
            last_error: next.error,
            finished_at: next.status === 'pending' ? null : attempt.at,
          })
          .where('id', '=', attempt.delivery_id)
          .execute();
      });
    },
    /** Give up pending deliveries of a channel (it was disabled). */
    cancelPending: (channelId: string, nowIso: string) =>
      db
        .updateTable('notification_deliveries')
        .set({ status: 'canceled', finished_at: nowIso, last_error: 'the channel was disabled' })
        .where('channel_id', '=', channelId)
        .where('status', '=', 'pending')
        .execute(),
    /** Attempts newest first, with their delivery and channel; `limit + 1` rows at most. */
    listAttempts: (q: AttemptQuery) => {
      let query = db
        .selectFrom('notification_attempts as a')
        .innerJoin('notification_deliveries as d', 'd.id', 'a.delivery_id')
        .innerJoin('notification_channels as c', 'c.id', 'a.channel_id')
        .select([
          'a.id',
          'a.delivery_id',
          'a.channel_id',
          'c.name as channel_name',
          'c.type as channel_type',
          'd.event',
          'd.status',
          'd.next_attempt_at',
          'd.payload',
          'a.attempt',
          'a.at',
          'a.ok',
          'a.status_code',
          'a.message',
          'a.duration_ms',
        ])
        .orderBy('a.id', 'desc')
        .limit(q.limit + 1);
      if (q.channelId) query = query.where('a.channel_id', '=', q.channelId);
      if (q.ok !== undefined) query = query.where('a.ok', '=', q.ok ? 1 : 0);
      if (q.cursor) query = query.where('a.id', '<', q.cursor);
      return query.execute();
    },
    /** Delete finished deliveries (and their attempts) older than `beforeIso`. */
    prune: (beforeIso: string) =>
      db
        .deleteFrom('notification_deliveries')
        .where('status', '!=', 'pending')
        .where('created_at', '<', beforeIso)
        .execute(),
  };
}

export type NotificationDeliveriesRepository = ReturnType<typeof createNotificationDeliveriesRepository>;
