import type { Logger } from 'pino';
import type { NotificationDeliveryRow } from '../../db/schema.js';
import type { OutboundMessage, SendResult } from '../../integrations/notify/notify-message.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { NotificationDeliveriesRepository } from '../../repositories/notification-deliveries.repository.js';
import type { OpenChannel } from './channels.service.js';

/** Retry timings of the delivery queue. */
export interface RetryOptions {
  /** Delay after the first failed attempt; it doubles per attempt up to `maxDelayMs` (defaults 10 s, 15 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A delivery still failing this long after it was queued is given up (default 24 h). */
  giveUpAfterMs?: number;
  /** How often the worker looks for due deliveries besides being woken (default 1 s). */
  pollMs?: number;
  /** How long one attempt holds a delivery before a crashed attempt may be retried (default 2 min). */
  leaseMs?: number;
}

/** Delay before attempt `attempt + 1`, with ±20 % jitter so receivers that come back are not stampeded. */
export function backoffMs(attempt: number, base: number, max: number, random = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + random() * 0.4));
}

/**
 * The delivery worker: takes due deliveries (a lease in the row, so a crash loses nothing), sends
 * them a few at a time, logs every attempt, and reschedules failures with backoff until they are
 * delivered or given up. It never throws out of its loop: a database that is briefly down only
 * delays the next tick.
 */
export function createDeliveryWorker(deps: {
  deliveries: NotificationDeliveriesRepository;
  channel: (id: string) => Promise<OpenChannel | null>;
  send: (channel: OpenChannel, message: OutboundMessage, deliveryId: string) => Promise<SendResult>;
  /** Runs first in every tick (the publisher's summaries). */
  beforeTick?: () => Promise<unknown>;
  clock: Clock;
  log: Logger;
  options?: RetryOptions;
  concurrency?: number;
}) {
  const o = deps.options ?? {};
  const base = o.baseDelayMs ?? 10_000;
  const max = o.maxDelayMs ?? 15 * 60_000;
  const giveUpAfter = o.giveUpAfterMs ?? 24 * 3600_000;
  const pollMs = o.pollMs ?? 1000;
  const leaseMs = o.leaseMs ?? 120_000;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let busy: Promise<void> | null = null;
  let again = false;
  let failures = 0;
  let lastPrune = 0;

  const iso = (ms: number) => new Date(ms).toISOString();

  async function attempt(row: NotificationDeliveryRow): Promise<void> {
    const now = deps.clock.now().getTime();
    if (!(await deps.deliveries.claim(row.id, row.next_attempt_at, iso(now + leaseMs)))) return;
    const channel = await deps.channel(row.channel_id);
    const started = performance.now();
    let result: SendResult;
    if (!channel) return; // deleted: its deliveries went with it
    if (!channel.enabled) {
      result = { ok: false, statusCode: null, message: 'the channel is disabled' };
    } else {
      result = await deps.send(channel, JSON.parse(row.payload) as OutboundMessage, row.id);
    }
    const at = deps.clock.now().getTime();
    const n = row.attempts + 1;
    const expired = at - Date.parse(row.created_at) >= giveUpAfter;
    const status = result.ok ? 'delivered' : !channel.enabled ? 'canceled' : expired ? 'failed' : 'pending';
    await deps.deliveries.recordAttempt(
      {
        id: newId(),
        delivery_id: row.id,
        channel_id: row.channel_id,
        attempt: n,
        at: iso(at),
        ok: result.ok ? 1 : 0,
        status_code: result.statusCode,
        message: result.message,
        duration_ms: Math.round(performance.now() - started),
      },
      {
        status,
        nextAttemptAt: status === 'pending' ? iso(at + backoffMs(n, base, max)) : iso(at),
        error: result.ok ? null : result.message,
      },
    );
    if (!result.ok) {
      deps.log.info(
        { deliveryId: row.id, channelId: row.channel_id, attempt: n, status, reason: result.message },
        'notification not delivered',
      );
    }
  }

  async function tick(): Promise<void> {
    try {
      await deps.beforeTick?.();
      const limit = deps.concurrency ?? 4;
      for (;;) {
        const due = await deps.deliveries.due(deps.clock.now().toISOString(), limit);
        if (due.length === 0) break;
        await Promise.all(due.map((d) => attempt(d)));
        if (due.length < limit) break;
      }
      const now = Date.now();
      if (now - lastPrune > 3600_000) {
        lastPrune = now;
        await deps.deliveries.prune(iso(deps.clock.now().getTime() - 30 * 86400_000));
      }
      failures = 0;
    } catch (err) {
      if (failures++ % 20 === 0)
        deps.log.warn({ err: (err as Error).message }, 'notification delivery tick failed');
    }
  }

  function run(): void {
    if (!running) return;
    if (busy) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    busy = tick().finally(() => {
      busy = null;
      if (!running) return;
      if (again) {
        again = false;
        run();
        return;
      }
      timer = setTimeout(run, pollMs);
      timer.unref();
    });
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      run();
    },
    /** Look for due deliveries now (after a publish). */
    wake(): void {
      run();
    },
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await busy;
    },
    /** One pass now (tests). */
    tick,
  };
}

/** The delivery worker. */
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
