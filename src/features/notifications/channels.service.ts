import type { NotificationChannelRow } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import type { OutboundMessage, SendResult } from '../../integrations/notify/notify-message.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { parseJson } from '../../lib/json.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { NotificationChannelsRepository } from '../../repositories/notification-channels.repository.js';
import type { NotificationDeliveriesRepository } from '../../repositories/notification-deliveries.repository.js';
import type { AuditService } from '../audit/index.js';
import {
  type ChannelConfig,
  type ChannelType,
  configView,
  mergeConfig,
  openConfig,
  sealConfig,
} from './channel-config.js';
import { sendToChannel } from './channel-send.js';
import { EVENT_NAMES, type EventName } from './notification-events.js';
import type { ChannelView, CreateChannelInput, PatchChannelInput } from './notifications.schemas.js';

/** A stored channel ready to send through: type, decrypted config, subscribed events. */
export interface OpenChannel {
  id: string;
  name: string;
  type: ChannelType;
  config: ChannelConfig;
  events: EventName[];
  enabled: boolean;
}

/** Channels: create, edit, delete (admin, audited), present without secrets, and "send test". */
export function createChannelsService(deps: {
  channels: NotificationChannelsRepository;
  deliveries: NotificationDeliveriesRepository;
  box: SecretBox;
  audit: AuditService;
  clock: Clock;
  publicUrl: string;
}) {
  const open = (row: NotificationChannelRow): OpenChannel => ({
    id: row.id,
    name: row.name,
    type: row.type,
    config: openConfig(row, deps.box),
    events: parseJson<EventName[]>(row.events, []),
    enabled: row.enabled === 1,
  });

  const present = (row: NotificationChannelRow): ChannelView => {
    const c = open(row);
    return {
      id: c.id,
      name: c.name,
      type: c.type,
      config: configView(c.type, c.config),
      events: c.events,
      enabled: c.enabled,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  };

  async function load(id: string): Promise<NotificationChannelRow> {
    const row = await deps.channels.get(id);
    if (!row) throw notFound('notification channel');
    return row;
  }

  return {
    async list(): Promise<ChannelView[]> {
      return (await deps.channels.list()).map(present);
    },
    async get(id: string): Promise<ChannelView> {
      return present(await load(id));
    },
    /** Enabled channels subscribed to `event`, decrypted for sending. */
    async subscribers(event: EventName): Promise<OpenChannel[]> {
      return (await deps.channels.listEnabled()).map(open).filter((c) => c.events.includes(event));
    },
    /** A channel for the delivery worker (null when it was deleted). */
    async openById(id: string): Promise<OpenChannel | null> {
      const row = await deps.channels.get(id);
      return row ? open(row) : null;
    },

    async create(ctx: RequestContext, input: CreateChannelInput): Promise<ChannelView> {
      const now = deps.clock.now().toISOString();
      const sealed = sealConfig(input.type, input.config as ChannelConfig, deps.box);
      const row: NotificationChannelRow = {
        id: newId(),
        name: input.name,
        type: input.type,
        config: sealed.config,
        secrets: sealed.secrets,
        events: JSON.stringify(input.events ?? [...EVENT_NAMES]),
        enabled: input.enabled ? 1 : 0,
        created_at: now,
        updated_at: now,
      };
      await deps.channels.insert(row);
      await deps.audit.record(ctx, 'notification.channel.create', {
        target: row.id,
        details: { name: row.name, type: row.type },
      });
      return present(row);
    },

    async update(ctx: RequestContext, id: string, patch: PatchChannelInput): Promise<ChannelView> {
      const row = await load(id);
      const current = open(row);
      const next: Partial<NotificationChannelRow> = { updated_at: deps.clock.now().toISOString() };
      if (patch.config) {
        // Validate the whole merged config before anything is written: bad input changes nothing.
        Object.assign(
          next,
          sealConfig(current.type, mergeConfig(current.type, current.config, patch.config), deps.box),
        );
      }
      if (patch.name !== undefined) next.name = patch.name;
      if (patch.events !== undefined) next.events = JSON.stringify(patch.events);
      if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
      await deps.channels.update(id, next);
      // A disabled channel's queued messages are dropped, not delivered when it comes back weeks later.
      if (patch.enabled === false) await deps.deliveries.cancelPending(id, next.updated_at as string);
      await deps.audit.record(ctx, 'notification.channel.update', {
        target: id,
        details: { keys: Object.keys(patch).sort(), configKeys: Object.keys(patch.config ?? {}).sort() },
      });
      return present(await load(id));
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      const row = await load(id);
      await deps.channels.delete(id);
      await deps.audit.record(ctx, 'notification.channel.delete', {
        target: id,
        details: { name: row.name, type: row.type },
      });
    },

    /** Send a test message now (not queued) and report what the receiver answered. */
    async test(ctx: RequestContext, id: string): Promise<SendResult> {
      const channel = open(await load(id));
      const message: OutboundMessage = {
        event: 'test',
        at: deps.clock.now().toISOString(),
        title: `Test message for “${channel.name}”`,
        message: `This is a test from Warp Panel: the ${channel.type} channel “${channel.name}” works.`,
        project: null,
        details: { channelId: channel.id },
        logLines: [],
        link: `${deps.publicUrl}/notifications`,
      };
      const result = await sendToChannel(channel, message, newId());
      await deps.audit.record(ctx, 'notification.channel.test', {
        target: id,
        result: result.ok ? 'ok' : 'error',
        details: { statusCode: result.statusCode, message: result.message },
      });
      return result;
    },
  };
}

/** The channels service. */
export type ChannelsService = ReturnType<typeof createChannelsService>;
