import { z } from 'zod';
import { CHANNEL_TYPE_NAMES, CHANNEL_TYPES } from './channel-config.js';
import { EVENT_NAMES, eventNameSchema } from './notification-events.js';

const name = z.string().trim().min(1).max(100);
const events = z.array(eventNameSchema).max(EVENT_NAMES.length);

/** A channel as the API shows it (secrets as `{set, hint}`). */
export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPE_NAMES as [string, ...string[]]),
  config: z.record(z.string(), z.unknown()),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A channel in the API shape. */
export type ChannelView = z.infer<typeof channelSchema>;

const createFor = <T extends keyof typeof CHANNEL_TYPES>(type: T) =>
  z
    .object({
      name,
      type: z.literal(type),
      config: CHANNEL_TYPES[type].schema,
      /** Default: every event. */
      events: events.optional(),
      enabled: z.boolean().default(true),
    })
    .strict();

/** `POST /api/v1/notifications/channels`: secrets as plain strings (write-only). */
export const createChannelSchema = z.discriminatedUnion('type', [
  createFor('webhook'),
  createFor('slack'),
  createFor('discord'),
  createFor('ntfy'),
  createFor('email'),
]);

/** A parsed create request. */
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

/**
 * `PATCH /api/v1/notifications/channels/:id`: any subset. `config` is merged into the current one
 * (a value replaces, `null` clears, an absent secret stays) and then validated for the channel's type.
 */
export const patchChannelSchema = z
  .object({
    name,
    config: z.record(z.string(), z.unknown()),
    events,
    enabled: z.boolean(),
  })
  .strict()
  .partial();

/** A parsed patch request. */
export type PatchChannelInput = z.infer<typeof patchChannelSchema>;

/** `POST …/:id/test`. */
export const testResultSchema = z.object({
  ok: z.boolean(),
  message: z.string(),
  statusCode: z.number().nullable(),
});

/** One delivery attempt (`GET /api/v1/notifications/deliveries`). */
export const attemptSchema = z.object({
  id: z.string(),
  deliveryId: z.string(),
  channel: z.object({ id: z.string(), name: z.string(), type: z.string() }),
  event: z.string(),
  title: z.string().nullable(),
  attempt: z.number(),
  at: z.string(),
  ok: z.boolean(),
  statusCode: z.number().nullable(),
  message: z.string(),
  durationMs: z.number(),
  /** The delivery now: still `pending` (retrying at `nextAttemptAt`), `delivered`, `failed` (gave up) or `canceled`. */
  deliveryStatus: z.enum(['pending', 'delivered', 'failed', 'canceled']),
  nextAttemptAt: z.string().nullable(),
});

/** `GET /api/v1/notifications/deliveries` query. */
export const deliveriesQuerySchema = z
  .object({
    channelId: z.uuid().optional(),
    ok: z.enum(['true', 'false']).optional(),
    cursor: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
