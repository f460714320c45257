import type { z } from 'zod';
import type { ProjectRow } from '../../db/schema.js';
import { unauthenticated, validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import { hashToken, hintOf, randomToken, safeEqual } from '../../lib/tokens.js';
import type { DeployHooksRepository } from '../../repositories/deploy-hooks.repository.js';
import type { HookDeliveriesRepository } from '../../repositories/hook-deliveries.repository.js';
import type { AuditService } from '../audit/index.js';
import type { Job } from '../jobs/index.js';
import type { AutoDeployer } from './auto-deploy.js';
import type { DeliveriesService } from './deliveries.service.js';
import { hookContext, type RejectedDelivery } from './hook-context.js';
import type { deployHookBodySchema } from './hooks.schemas.js';
import { queuedReason } from './push-event.handler.js';

/** Prefix of deploy-hook tokens (tells them apart from API tokens `wp_…` in a leaked log). */
export const DEPLOY_HOOK_PREFIX = 'wph_';

/** A branch name the panel accepts before git itself judges it (`git check-ref-format` in the job). */
const BRANCH = /^(?![-/.])(?!.*(\.\.|\/\/|@\{|\.lock$|\/$|\.$))[A-Za-z0-9._/-]{1,255}$/;

/**
 * Deploy hooks for everything that is not GitHub (CI pipelines, a CMS rebuild): one secret token per
 * project, shown once, stored hashed, replaced on rotation. A call deploys the project like a push does
 * (optionally a given branch head or commit), is recorded as a delivery and audited like any deploy.
 */
export function createDeployHooksService(deps: {
  hooks: DeployHooksRepository;
  repo: Pick<HookDeliveriesRepository, 'insert'>;
  deliveries: Pick<DeliveriesService, 'record' | 'row'>;
  autoDeploy: Pick<AutoDeployer, 'trigger'>;
  loadProject: (id: string) => Promise<ProjectRow>;
  findProject: (id: string) => Promise<ProjectRow | undefined>;
  audit: AuditService;
  clock: Clock;
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  publicUrl: string;
  onRejected: (r: RejectedDelivery) => void;
}) {
  const urlOf = (projectId: string) => `${deps.publicUrl}/hooks/deploy/${projectId}`;

  return {
    /** Create the project's deploy hook, or rotate it (the old token stops working at once). */
    async rotate(ctx: RequestContext, projectId: string): Promise<{ url: string; token: string }> {
      const project = await deps.loadProject(projectId);
      const token = randomToken(DEPLOY_HOOK_PREFIX);
      await deps.transaction(async () => {
        const existed = (await deps.hooks.find(projectId)) !== undefined;
        await deps.hooks.put({
          project_id: projectId,
          token_hash: hashToken(token),
          hint: hintOf(token),
          created_at: deps.clock.now().toISOString(),
          created_by: ctx.actor?.login ?? null,
          last_used_at: null,
        });
        await deps.audit.record(ctx, existed ? 'project.deploy_hook.rotate' : 'project.deploy_hook.create', {
          target: project.name,
          projectId,
        });
      });
      return { url: urlOf(projectId), token };
    },

    /** Check `Authorization: Bearer <token>` for the project's hook; 401 (recorded) otherwise. */
    async authenticate(ctx: RequestContext, projectId: string, authorization: string | undefined) {
      const presented = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
      const hook = await deps.hooks.find(projectId);
      // Hash and compare even without a hook, so both cases take the same time.
      const ok = safeEqual(hashToken(presented), hook?.token_hash ?? hashToken(`${presented}x`));
      if (ok && presented !== '' && hook) return;
      const reason = presented === '' ? 'no deploy-hook token' : 'wrong or rotated deploy-hook token';
      const project = await deps.findProject(projectId);
      const row = await deps.deliveries.record({
        source: 'deploy_hook',
        event: 'deploy_hook',
        result: 'rejected',
        reason,
        project_id: project && project.status !== 'removed' ? project.id : null,
      });
      deps.onRejected({
        source: 'deploy_hook',
        reason,
        deliveryId: row.id,
        event: 'deploy_hook',
        projectId: row.project_id,
        ip: ctx.ip,
        at: row.at,
      });
      throw unauthenticated(`deploy hook refused: ${reason}`);
    },

    /** Deploy the project (after `authenticate`): 202 `{job}`; ref/commit only for repo-backed projects. */
    async trigger(
      base: RequestContext,
      projectId: string,
      body: z.infer<typeof deployHookBodySchema> | null | undefined,
    ): Promise<{ job: Job }> {
      const project = await deps.loadProject(projectId);
      const ref = body?.ref;
      const branch = ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
      if ((ref || body?.commit) && !(project.repo_owner && project.repo_name)) {
        throw validationError('this project is not deployed from a repository', [
          { path: ref ? 'ref' : 'commit', message: 'only repo-backed projects take a ref or commit' },
        ]);
      }
      if (branch !== undefined && (!BRANCH.test(branch) || branch.startsWith('refs/'))) {
        throw validationError('invalid ref', [{ path: 'ref', message: 'expected a branch like main' }]);
      }
      const ctx = hookContext('deploy-hook', base);
      const now = deps.clock.now().toISOString();
      const result = await deps.autoDeploy.trigger(
        ctx,
        project,
        { commit: body?.commit, branch, cause: 'deploy hook call' },
        async (r) => {
          const row = deps.deliveries.row({
            source: 'deploy_hook',
            event: 'deploy_hook',
            result: r.result,
            reason: queuedReason(r),
            ref: branch ? `refs/heads/${branch}` : null,
            commit_sha: body?.commit ?? null,
            repo: project.repo_owner ? `${project.repo_owner}/${project.repo_name}` : null,
            project_id: project.id,
            job_id: r.job.id,
          });
          await deps.repo.insert({ ...row, delivery_id: row.id });
        },
      );
      await deps.hooks.touch(projectId, now);
      return { job: result.job };
    },
  };
}

/** The deploy-hooks service. */
export type DeployHooksService = ReturnType<typeof createDeployHooksService>;
