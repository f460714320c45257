import { z } from 'zod';

/** Every event a channel can subscribe to (API.md's list, plus the per-project CPU and memory thresholds). */
export const EVENT_NAMES = [
  'deploy.failed',
  'deploy.succeeded',
  'container.exited',
  'container.unhealthy',
  'container.restarting',
  'tunnel.down',
  'disk.high',
  'cpu.high',
  'memory.high',
  'backup.failed',
  'webhook.rejected',
] as const;

/** An event name. */
export type EventName = (typeof EVENT_NAMES)[number];

/** zod schema of an event name. */
export const eventNameSchema = z.enum(EVENT_NAMES);

/** What a feature hands to `publish`; the publisher adds the project, the link, masking and grouping. */
export interface NotificationInput {
  event: EventName;
  /** One line: "Deploy failed: shop". */
  title: string;
  /** What happened, in a sentence or two. */
  message: string;
  projectId?: string | null;
  details?: Record<string, unknown>;
  /** The last log lines where they help; masked before anything is stored or sent. */
  logLines?: string[];
  /** Panel path the message links to (`/jobs/<id>`); defaults to the project page or the dashboard. */
  linkPath?: string | null;
  /**
   * Occurrences with the same key are one group: the first is sent, later ones within the group
   * window are counted and go out as one summary. Default: event + project + title.
   */
  groupKey?: string;
}

/** What `webhook.rejected` carries (push-to-deploy calls `webhookRejected`). */
export interface WebhookRejectedInput {
  projectId?: string | null;
  /** `rejected`: bad signature or malformed; `ignored`: a valid push the project does not deploy. */
  result: 'rejected' | 'ignored';
  reason: string;
  deliveryId?: string | null;
  githubEvent?: string | null;
  ref?: string | null;
}

/** What `backup.failed` carries (the backups feature calls `backupFailed`). */
export interface BackupFailedInput {
  projectId: string | null;
  reason: string;
  jobId?: string | null;
  backupId?: string | null;
  logLines?: string[];
}
