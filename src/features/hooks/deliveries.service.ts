import type { z } from 'zod';
import type { HookDeliveryRow, ProjectRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { DeployHooksRepository } from '../../repositories/deploy-hooks.repository.js';
import type { HookDeliveriesRepository } from '../../repositories/hook-deliveries.repository.js';
import type { deliverySchema, webhookStatusSchema } from './hooks.schemas.js';

/** A delivery as the API shows it. */
export type Delivery = z.infer<typeof deliverySchema>;

/** Rejected deliveries kept (anyone can cause one; they must not fill the database). */
export const REJECTED_KEPT = 200;
/** How many deliveries a list shows. */
export const LIST_LIMIT = 50;

/** Map a row to the API shape. */
export const toDelivery = (row: HookDeliveryRow): Delivery => ({
  id: row.id,
  deliveryId: row.delivery_id,
  source: row.source,
  event: row.event,
  repo: row.repo,
  ref: row.ref,
  commit: row.commit_sha,
  result: row.result,
  reason: row.reason,
  at: row.at,
  projectId: row.project_id,
  jobId: row.job_id,
});

/** Fields of a new delivery row; the rest default to null. */
export type NewDelivery = Pick<HookDeliveryRow, 'source' | 'event' | 'result'> &
  Partial<Omit<HookDeliveryRow, 'id' | 'at' | 'source' | 'event' | 'result'>>;

/** Recording and listing deliveries: so "why didn't it deploy?" has an answer. */
export function createDeliveriesService(deps: {
  repo: HookDeliveriesRepository;
  deployHooks: DeployHooksRepository;
  /** A live project (404 otherwise). */
  loadProject: (id: string) => Promise<ProjectRow>;
  clock: Clock;
  publicUrl: string;
  webhookSecretSet: () => Promise<boolean>;
}) {
  const row = (input: NewDelivery): HookDeliveryRow => ({
    id: newId(),
    delivery_id: null,
    dedupe_key: null,
    payload_sha256: null,
    repo: null,
    ref: null,
    commit_sha: null,
    reason: null,
    project_id: null,
    job_id: null,
    at: deps.clock.now().toISOString(),
    ...input,
  });

  return {
    row,
    /** Record a delivery (rejected ones are pruned to the newest REJECTED_KEPT). */
    async record(input: NewDelivery): Promise<HookDeliveryRow> {
      const r = row(input);
      await deps.repo.insert(r);
      if (r.result === 'rejected') await deps.repo.pruneRejected(REJECTED_KEPT);
      return r;
    },

    /** The project's deliveries (newest first), what it listens to, and its deploy hook, if any. */
    async forProject(projectId: string) {
      const project = await deps.loadProject(projectId);
      const hook = await deps.deployHooks.find(projectId);
      return {
        items: (await deps.repo.listForProject(projectId, LIST_LIMIT)).map(toDelivery),
        branch: project.branch,
        autoDeploy: project.auto_deploy === 1,
        deployHook: hook
          ? {
              url: `${deps.publicUrl}/hooks/deploy/${projectId}`,
              createdAt: hook.created_at,
              lastUsedAt: hook.last_used_at,
            }
          : null,
      };
    },

    /** The newest deliveries of every project (and the ones that matched none). */
    async recent(): Promise<Delivery[]> {
      return (await deps.repo.listRecent(LIST_LIMIT)).map(toDelivery);
    },

    /** Whether GitHub's webhooks reach the panel: the secret and the last verified delivery. */
    async webhookStatus(): Promise<z.infer<typeof webhookStatusSchema>> {
      const last = await deps.repo.lastVerifiedGithub();
      return {
        secretSet: await deps.webhookSecretSet(),
        url: `${deps.publicUrl}/hooks/github`,
        lastDeliveryAt: last?.at ?? null,
        lastEvent: last?.event ?? null,
      };
    },
  };
}

/** The deliveries service. */
export type DeliveriesService = ReturnType<typeof createDeliveriesService>;
