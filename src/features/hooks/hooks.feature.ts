import type { Logger } from 'pino';
import type { ProjectRow } from '../../db/schema.js';
import type { CommitStatusInput } from '../../integrations/github/github-client.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { DeployHooksRepository } from '../../repositories/deploy-hooks.repository.js';
import type { HookDeliveriesRepository } from '../../repositories/hook-deliveries.repository.js';
import type { AuditService } from '../audit/index.js';
import type { Job } from '../jobs/index.js';
import { createAutoDeployer } from './auto-deploy.js';
import { createCommitStatusReporter } from './commit-status.reporter.js';
import { createDeliveriesService } from './deliveries.service.js';
import { createDeployHooksService } from './deploy-hooks.service.js';
import { createGithubWebhookService } from './github-webhook.service.js';
import type { RejectedDelivery } from './hook-context.js';

/** What push to deploy is built from (wired in app.ts). */
export interface HooksDeps {
  deliveries: HookDeliveriesRepository;
  deployHooks: DeployHooksRepository;
  projects: {
    load(id: string): Promise<ProjectRow>;
    enqueueFor(
      ctx: RequestContext,
      id: string,
      action: string,
      job: { type: string; input: Record<string, unknown> },
    ): Promise<{ job: Job }>;
  };
  projectsRepo: {
    listActive(): Promise<ProjectRow[]>;
    findById(id: string): Promise<ProjectRow | undefined>;
  };
  jobs: {
    dropQueued(ctx: RequestContext, id: string, reason: string): Promise<boolean>;
    list(q: { projectId: string; status: 'queued' | 'running'; limit: number }): Promise<{ items: Job[] }>;
  };
  settings: { get(): Promise<{ github: { webhookSecret: string | null } }> };
  github: {
    configured(): Promise<boolean>;
    createCommitStatus(input: CommitStatusInput): Promise<void>;
  };
  audit: AuditService;
  clock: Clock;
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The panel's public URL (WARP_PUBLIC_URL): hook URLs and the job links of commit statuses. */
  publicUrl: string;
  log: Logger;
  /** A delivery was refused (bad signature, wrong token): the `webhook.rejected` notification's source. */
  onRejected?: (r: RejectedDelivery) => void;
  /** The App's installation changed (repositories added or removed): drop cached template/repo lists. */
  onInstallationChanged?: () => void;
}

/** Push to deploy: GitHub webhooks, deploy hooks, the delivery record and commit statuses. */
export function createHooksFeature(deps: HooksDeps) {
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  // A listener that fails (a notification channel down) never turns a refusal into a 500.
  const onRejected = (r: RejectedDelivery) => {
    try {
      deps.onRejected?.(r);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'webhook.rejected listener failed');
    }
  };
  const secret = async () => (await deps.settings.get()).github.webhookSecret;
  const statuses = createCommitStatusReporter({
    github: deps.github,
    configured: () => deps.github.configured(),
    publicUrl,
    log: deps.log,
  });
  const deliveries = createDeliveriesService({
    repo: deps.deliveries,
    deployHooks: deps.deployHooks,
    loadProject: (id) => deps.projects.load(id),
    clock: deps.clock,
    publicUrl,
    webhookSecretSet: async () => (await secret()) !== null,
  });
  const autoDeploy = createAutoDeployer({
    deliveries: deps.deliveries,
    projects: deps.projects,
    jobs: deps.jobs,
    statuses,
  });
  const github = createGithubWebhookService({
    autoDeploy,
    deliveries,
    repo: deps.deliveries,
    webhookSecret: secret,
    listProjects: () => deps.projectsRepo.listActive(),
    log: deps.log,
    onRejected,
    onInstallationChanged: deps.onInstallationChanged ?? (() => {}),
  });
  const deployHooks = createDeployHooksService({
    hooks: deps.deployHooks,
    repo: deps.deliveries,
    deliveries,
    autoDeploy,
    loadProject: (id) => deps.projects.load(id),
    findProject: (id) => deps.projectsRepo.findById(id),
    audit: deps.audit,
    clock: deps.clock,
    transaction: deps.transaction,
    publicUrl,
    onRejected,
  });
  return { github, deployHooks, deliveries, statuses };
}

/** The push-to-deploy feature. */
export type HooksFeature = ReturnType<typeof createHooksFeature>;
