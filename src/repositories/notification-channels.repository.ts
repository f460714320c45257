import type { Kysely, Updateable } from 'kysely';
import type { Database, NotificationChannelRow, NotificationChannelsTable } from '../db/schema.js';

/** Notification channels (config JSON without secrets; secrets as encrypted envelopes). */
export function createNotificationChannelsRepository(db: Kysely<Database>) {
  return {
    insert: (row: NotificationChannelRow) => db.insertInto('notification_channels').values(row).execute(),
    get: (id: string) =>
      db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Every channel, oldest first. */
    list: () => db.selectFrom('notification_channels').selectAll().orderBy('id').execute(),
    /** Enabled channels (the publisher filters them by event). */
    listEnabled: () =>
      db.selectFrom('notification_channels').selectAll().where('enabled', '=', 1).orderBy('id').execute(),
    update: (id: string, patch: Updateable<NotificationChannelsTable>) =>
      db.updateTable('notification_channels').set(patch).where('id', '=', id).execute(),
    /** Delete a channel (its deliveries and attempts go with it); false when there was none. */
    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('notification_channels').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export type NotificationChannelsRepository = ReturnType<typeof createNotificationChannelsRepository>;
