import type { Logger } from 'pino';
import type { NotificationDeliveryRow, NotificationGroupRow } from '../../db/schema.js';
import type { OutboundMessage } from '../../integrations/notify/notify-message.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { createMasker, truncateLine } from '../../lib/log-masking.js';
import { createMutex } from '../../lib/mutex.js';
import type { NotificationDeliveriesRepository } from '../../repositories/notification-deliveries.repository.js';
import type { NotificationGroupsRepository } from '../../repositories/notification-groups.repository.js';
import type { OpenChannel } from './channels.service.js';
import type { EventName, NotificationInput } from './notification-events.js';

/** A project as messages name it, plus values to mask in its messages (its env values). */
export interface ProjectInfo {
  id: string;
  name: string;
  hostname: string | null;
  secrets: string[];
}

/** Grouping timings. */
export interface GroupingOptions {
  /** A group stays open this long after its last occurrence (default 15 min). */
  windowMs?: number;
  /** Unsent occurrences go out as one summary at most this often (default 5 min). */
  summaryAfterMs?: number;
}

/** What publishing one occurrence did. */
export interface PublishResult {
  /** `sent`: queued for delivery; `grouped`: counted into its group's next summary. */
  outcome: 'sent' | 'grouped';
  deliveries: number;
}

const MAX_LOG_LINES = 20;

/**
 * Publishing: build the message (project, link under WARP_PUBLIC_URL, secrets masked), group
 * repeats, and queue one delivery per subscribed channel. Only database writes happen here, so a
 * caller (a finishing deploy) never waits for a receiver; the delivery worker does the sending.
 */
export function createPublisher(deps: {
  subscribers: (event: EventName) => Promise<OpenChannel[]>;
  deliveries: NotificationDeliveriesRepository;
  groups: NotificationGroupsRepository;
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  projectInfo: (id: string) => Promise<ProjectInfo | null>;
  secrets: () => Promise<string[]>;
  publicUrl: string;
  clock: Clock;
  log: Logger;
  wake: () => void;
  options?: GroupingOptions;
}) {
  const windowMs = deps.options?.windowMs ?? 15 * 60_000;
  const summaryAfterMs = Math.min(deps.options?.summaryAfterMs ?? 5 * 60_000, windowMs);
  // Occurrences of one group arrive close together (a restart loop): decide them one at a time.
  const mutex = createMutex();

  async function build(input: NotificationInput, at: string): Promise<OutboundMessage> {
    const project = input.projectId ? await deps.projectInfo(input.projectId) : null;
    const masker = createMasker([...(await deps.secrets()), ...(project?.secrets ?? [])]);
    const path = input.linkPath ?? (project ? `/projects/${project.id}` : '/');
    return masker.maskValue({
      event: input.event,
      at,
      title: input.title,
      message: input.message,
      project: project ? { id: project.id, name: project.name, hostname: project.hostname } : null,
      details: input.details ?? {},
      logLines: (input.logLines ?? []).slice(-MAX_LOG_LINES).map((l) => truncateLine(l, 500)),
      link: `${deps.publicUrl}${path}`,
    });
  }

  async function enqueue(message: OutboundMessage, groupKey: string | null, at: string): Promise<number> {
    const channels = await deps.subscribers(message.event as EventName);
    const rows: NotificationDeliveryRow[] = channels.map((c) => ({
      id: newId(),
      channel_id: c.id,
      event: message.event,
      group_key: groupKey,
      payload: JSON.stringify(message),
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      last_error: null,
      created_at: at,
      finished_at: null,
    }));
    await deps.deliveries.insertMany(rows);
    return rows.length;
  }

  /** The summary of a group's unsent occurrences, in the shape of its first message. */
  function summaryOf(g: NotificationGroupRow, at: string): OutboundMessage {
    const sample = JSON.parse(g.sample) as OutboundMessage;
    const times = g.suppressed === 1 ? 'once more' : `${g.suppressed} more times`;
    return {
      ...sample,
      at,
      title: `${sample.title} (repeated ${g.suppressed}×)`,
      message: `This happened ${times} since ${g.last_sent_at} (last at ${g.last_at}). First message: ${sample.message}`,
      details: {
        ...sample.details,
        summary: { count: g.suppressed, since: g.last_sent_at, lastAt: g.last_at, firstAt: g.first_at },
      },
    };
  }

  async function sendSummary(g: NotificationGroupRow, at: string): Promise<number> {
    const n = await enqueue(summaryOf(g, at), g.key, at);
    await deps.groups.markSummarized(g.key, g.suppressed, at);
    return n;
  }

  return {
    /** Publish one occurrence of an event. */
    publish(input: NotificationInput): Promise<PublishResult> {
      return mutex.run(async () => {
        const now = deps.clock.now();
        const at = now.toISOString();
        const key = input.groupKey ?? `${input.event}:${input.projectId ?? '-'}:${input.title}`;
        const message = await build(input, at);
        const result = await deps.transaction(async () => {
          const open = await deps.groups.get(key);
          if (open && now.getTime() - Date.parse(open.last_at) < windowMs) {
            await deps.groups.suppress(key, at);
            return { outcome: 'grouped' as const, deliveries: 0 };
          }
          // A group that closed with occurrences still unsent says so before the new one starts.
          if (open && open.suppressed > 0) await sendSummary(open, at);
          await deps.groups.put({
            key,
            event: input.event,
            first_at: at,
            last_at: at,
            last_sent_at: at,
            suppressed: 0,
            sample: JSON.stringify(message),
          });
          return { outcome: 'sent' as const, deliveries: await enqueue(message, key, at) };
        });
        if (result.deliveries > 0) deps.wake();
        return result;
      });
    },

    /** Queue summaries that are due and close quiet groups (the delivery worker calls this each tick). */
    flushSummaries(): Promise<number> {
      return mutex.run(async () => {
        const now = deps.clock.now();
        const at = now.toISOString();
        let queued = 0;
        const due = await deps.groups.summariesDue(new Date(now.getTime() - summaryAfterMs).toISOString());
        for (const g of due) queued += await deps.transaction(() => sendSummary(g, at));
        await deps.groups.closeQuiet(new Date(now.getTime() - windowMs).toISOString());
        if (queued > 0) deps.wake();
        return queued;
      });
    },
  };
}

/** The publisher. */
export type Publisher = ReturnType<typeof createPublisher>;
