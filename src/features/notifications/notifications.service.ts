import type { Logger } from 'pino';
import type { JobRow } from '../../db/schema.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { Clock } from '../../lib/clock.js';
import { parseJson } from '../../lib/json.js';
import { type Page, toPage } from '../../lib/paging.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { NotificationChannelsRepository } from '../../repositories/notification-channels.repository.js';
import type {
  AttemptQuery,
  NotificationDeliveriesRepository,
} from '../../repositories/notification-deliveries.repository.js';
import type { NotificationGroupsRepository } from '../../repositories/notification-groups.repository.js';
import type { AuditService } from '../audit/index.js';
import type { MetricAlert, ProjectIndex } from '../metrics/index.js';
import { alertToNotification } from './alert-notifier.js';
import { sendToChannel } from './channel-send.js';
import { createChannelsService } from './channels.service.js';
import { createDeliveryWorker, type RetryOptions } from './delivery-worker.js';
import { createDeployNotifier } from './deploy-notifier.js';
import { createEngineWatch } from './engine-watch.js';
import type { BackupFailedInput, NotificationInput, WebhookRejectedInput } from './notification-events.js';
import { createPublisher, type GroupingOptions, type ProjectInfo } from './notification-publisher.js';
import type { attemptSchema } from './notifications.schemas.js';
import { createTunnelWatch, type TunnelHealthView } from './tunnel-watch.js';

/** Timings a test or benchmark may shorten. */
export interface NotificationOptions {
  retry?: RetryOptions;
  grouping?: GroupingOptions;
  tunnel?: { pollMs?: number; downForMs?: number };
  engineReconnectMs?: { first: number; max: number };
}

/** An attempt as the deliveries log shows it. */
export type AttemptView = import('zod').infer<typeof attemptSchema>;

/** Everything the notifications feature is built from. */
export interface NotificationsDeps {
  channels: NotificationChannelsRepository;
  deliveries: NotificationDeliveriesRepository;
  groups: NotificationGroupsRepository;
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  box: SecretBox;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  publicUrl: string;
  secrets: () => Promise<string[]>;
  projectInfo: (id: string) => Promise<ProjectInfo | null>;
  projectActivity: (id: string) => Promise<{ status: string; lastJobFinishedAt: number | null } | null>;
  docker: DockerClient;
  projectIndex: ProjectIndex;
  containerLogs: (id: string, tail: number) => Promise<string[]>;
  jobLogTail: (jobId: string, n: number) => Promise<string[]>;
  tunnelHealth: () => Promise<TunnelHealthView>;
  deployTypes: ReadonlySet<string>;
  options?: NotificationOptions;
}

/**
 * Notifications: channels (admin), the publisher other features call, the durable delivery queue
 * and the watches that produce events on their own (engine events, tunnel health). `start()` runs
 * the background loops after listen; `stop()` ends them on close.
 */
export function createNotifications(deps: NotificationsDeps) {
  const log = deps.log;
  const channels = createChannelsService({
    channels: deps.channels,
    deliveries: deps.deliveries,
    box: deps.box,
    audit: deps.audit,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
  });
  let wake = () => {};
  const publisher = createPublisher({
    subscribers: (event) => channels.subscribers(event),
    deliveries: deps.deliveries,
    groups: deps.groups,
    transaction: deps.transaction,
    projectInfo: deps.projectInfo,
    secrets: deps.secrets,
    publicUrl: deps.publicUrl,
    clock: deps.clock,
    log,
    wake: () => wake(),
    ...(deps.options?.grouping ? { options: deps.options.grouping } : {}),
  });
  const worker = createDeliveryWorker({
    deliveries: deps.deliveries,
    channel: (id) => channels.openById(id),
    send: sendToChannel,
    beforeTick: () => publisher.flushSummaries(),
    clock: deps.clock,
    log,
    ...(deps.options?.retry ? { options: deps.options.retry } : {}),
  });
  wake = () => worker.wake();

  /** Publish without letting a failure reach the caller (a deploy, a watch): it is logged. */
  const publish = async (input: NotificationInput) => {
    try {
      return await publisher.publish(input);
    } catch (err) {
      log.error({ err, event: input.event }, 'notification not published');
      return null;
    }
  };

  const engine = createEngineWatch({
    docker: deps.docker,
    projects: deps.projectIndex,
    containerLogs: deps.containerLogs,
    projectActivity: deps.projectActivity,
    publish,
    log,
    ...(deps.options?.engineReconnectMs ? { reconnectMs: deps.options.engineReconnectMs } : {}),
  });
  const tunnel = createTunnelWatch({ health: deps.tunnelHealth, publish, log, ...deps.options?.tunnel });
  const deploys = createDeployNotifier({
    deployTypes: deps.deployTypes,
    project: deps.projectInfo,
    lastLines: deps.jobLogTail,
    publish,
  });

  const presentAttempt = (
    r: Awaited<ReturnType<NotificationDeliveriesRepository['listAttempts']>>[number],
  ): AttemptView => ({
    id: r.id,
    deliveryId: r.delivery_id,
    channel: { id: r.channel_id, name: r.channel_name, type: r.channel_type },
    event: r.event,
    title: parseJson<{ title?: string }>(r.payload, {}).title ?? null,
    attempt: r.attempt,
    at: r.at,
    ok: r.ok === 1,
    statusCode: r.status_code,
    message: r.message,
    durationMs: r.duration_ms,
    deliveryStatus: r.status,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
  });

  return {
    channels,
    /** `GET /api/v1/notifications/deliveries`: attempts newest first. */
    async attempts(q: AttemptQuery): Promise<Page<AttemptView>> {
      return toPage(await deps.deliveries.listAttempts(q), q.limit, presentAttempt);
    },
    /** Publish an event (other features call this; errors are logged, never thrown). */
    publish,
    /** `webhook.rejected`: a push that was ignored or a webhook whose signature check failed. */
    webhookRejected(input: WebhookRejectedInput) {
      const what = input.result === 'rejected' ? 'Webhook rejected' : 'Push ignored';
      return publish({
        event: 'webhook.rejected',
        title: `${what}${input.ref ? `: ${input.ref}` : ''}`,
        message: `${what}: ${input.reason}.`,
        projectId: input.projectId ?? null,
        details: {
          result: input.result,
          reason: input.reason,
          deliveryId: input.deliveryId ?? null,
          githubEvent: input.githubEvent ?? null,
          ref: input.ref ?? null,
        },
        groupKey: `webhook.rejected:${input.projectId ?? '-'}:${input.result}:${input.reason}`,
      });
    },
    /** `backup.failed` (the backups feature calls this when a backup job fails). */
    backupFailed(input: BackupFailedInput) {
      return publish({
        event: 'backup.failed',
        title: 'Backup failed',
        message: `A backup failed: ${input.reason}.`,
        projectId: input.projectId,
        details: { jobId: input.jobId ?? null, backupId: input.backupId ?? null, reason: input.reason },
        logLines: input.logLines ?? [],
        linkPath: input.jobId ? `/jobs/${input.jobId}` : null,
        groupKey: `backup.failed:${input.projectId ?? '-'}:${input.jobId ?? input.reason}`,
      });
    },
    /** A finished job (the jobs feature's hook): deploy outcomes become notifications. */
    jobFinished(row: JobRow): void {
      void deploys
        .finished(row)
        .catch((err) => log.error({ err, jobId: row.id }, 'deploy notification failed'));
    },
    /** A crossed metrics threshold. */
    metricAlert(alert: MetricAlert): void {
      void publish(alertToNotification(alert));
    },
    /** Start the delivery worker and the watches (after listen). */
    async start(): Promise<void> {
      worker.start();
      tunnel.start();
      await engine.start();
    },
    /** Stop them (on close). */
    async stop(): Promise<void> {
      await engine.stop();
      await tunnel.stop();
      await worker.stop();
    },
    /** Internals for tests: run a delivery pass, check the tunnel now, see the event stream state. */
    worker,
    tunnelWatch: tunnel,
    engineWatch: engine,
  };
}

/** The notifications feature. */
export type Notifications = ReturnType<typeof createNotifications>;

/** What other features get to publish with (push-to-deploy, backups). */
export type NotificationPublisher = Pick<Notifications, 'publish' | 'webhookRejected' | 'backupFailed'>;
