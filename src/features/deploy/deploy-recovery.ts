import type { Logger } from 'pino';
import type { JobRow } from '../../db/schema.js';
import { LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import { removeContainer } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { restorePreviousContainers } from './previous-container.js';
import { setProjectState } from './project-state.js';
import { type RecoveryDeps, recoverCutOffRelease } from './release-recovery.js';

/** Job types that deploy a project (and leave it `deploying` while they run). */
const DEPLOY_JOBS = new Set(['docker_run', 'docker_compose_up', 'redeploy', 'template_create', 'rollback']);

/**
 * After a crash, with the jobs the runner just marked interrupted: a deploy cut off mid-way left its
 * project `deploying` for ever, and a first deploy (the project never came up: no host port recorded)
 * left its container and port reservation behind — what the attempt's undo would have removed. Remove
 * those, release the reservation and mark the project failed. An interrupted redeploy keeps its port
 * (the project owns it); for a quick service its previous container is put back and runs again.
 */
export async function reconcileInterruptedDeploys(
  deps: Pick<DeployDeps, 'docker' | 'ports' | 'projectsRepo' | 'clock'> & {
    log: Logger;
    /** A first compose deploy's model never ran: it goes too. */
    plans?: Pick<DeployDeps['plans'], 'remove'>;
    /** With these, a cut-off blue/green release is settled by what the route points at. */
    releases?: RecoveryDeps;
  },
  interrupted: JobRow[],
): Promise<void> {
  for (const job of interrupted) {
    if (!job.project_id || !DEPLOY_JOBS.has(job.type)) continue;
    const row = await deps.projectsRepo.findById(job.project_id);
    if (row?.status !== 'deploying') continue;
    if (row.target === 'swarm') {
      // Swarm keeps converging what the manager accepted; nothing on this engine to undo here. The
      // release the attempt began never went live: it goes.
      for (const p of (await deps.releases?.releases.pending(row.id)) ?? []) {
        await deps.releases?.releases.discard(p, { info: () => {}, warn: () => {} }).catch(() => {});
      }
      await setProjectState(deps, row.id, { status: 'failed' });
      deps.log.warn(
        { projectId: row.id, jobId: job.id },
        'Swarm deploy was interrupted by a restart; project marked failed (redeploy to converge)',
      );
      continue;
    }
    if (row.host_port !== null && deps.releases) {
      try {
        if (await recoverCutOffRelease(deps.releases, row, deps.log)) continue;
      } catch (err) {
        deps.log.error({ err, projectId: row.id }, 'could not settle an interrupted release');
      }
    }
    let removed = 0;
    let released = 0;
    if (row.host_port === null) {
      try {
        const list = await deps.docker.call('list containers', (d) =>
          d.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${row.id}`] } }),
        );
        for (const c of list) await removeContainer(deps.docker, c.Id);
        removed = list.length;
      } catch (err) {
        deps.log.error(
          { err, projectId: row.id },
          'could not remove the containers of an interrupted deploy',
        );
      }
      released = await deps.ports.release({ projectId: row.id });
      await deps.plans?.remove(row.id).catch(() => {});
      for (const p of (await deps.releases?.releases.pending(row.id)) ?? []) {
        await deps.releases?.releases.discard(p, { info: () => {}, warn: () => {} }).catch(() => {});
      }
    }
    // An interrupted redeploy of a quick service: the previous container comes back as it was.
    let restored = 0;
    if (row.host_port !== null && row.kind === 'quick') {
      try {
        const list = await deps.docker.call('list containers', (d) =>
          d.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${row.id}`] } }),
        );
        restored = await restorePreviousContainers(deps.docker, list);
      } catch (err) {
        deps.log.error(
          { err, projectId: row.id },
          'could not restore the previous container of an interrupted redeploy',
        );
      }
    }
    await setProjectState(deps, row.id, { status: restored > 0 ? 'running' : 'failed' });
    deps.log.warn(
      { projectId: row.id, jobId: job.id, removedContainers: removed, releasedPorts: released, restored },
      restored > 0
        ? 'redeploy was interrupted by a restart; the previous container runs again'
        : 'deploy was interrupted by a restart; project marked failed',
    );
  }
}
