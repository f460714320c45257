import type { ProjectRow } from '../../db/schema.js';
import type { JobContext } from '../jobs/index.js';
import type { DeployDeps } from './deploy-deps.js';
import type { UndoStack } from './undo-stack.js';

/** Statuses of a project that was deployed once (its containers may have gone since). */
export const wasDeployed = (status: ProjectRow['status']): boolean =>
  status === 'running' || status === 'degraded' || status === 'stopped' || status === 'missing';

/** Statuses of a project whose containers are there (some or all may be stopped). */
export const hasContainers = (status: ProjectRow['status']): boolean =>
  status === 'running' || status === 'degraded' || status === 'stopped';

/** Update a project's status (and anything else) with a fresh `updated_at`. */
export async function setProjectState(
  deps: Pick<DeployDeps, 'projectsRepo' | 'clock'>,
  id: string,
  patch: Partial<
    Pick<
      ProjectRow,
      'status' | 'status_reason' | 'host_port' | 'container_names' | 'compose_project' | 'spec' | 'images'
    >
  >,
): Promise<void> {
  // A new status without a reason of its own clears the old reason.
  const reason =
    patch.status !== undefined && patch.status_reason === undefined ? { status_reason: null } : {};
  await deps.projectsRepo.update(id, { ...reason, ...patch, updated_at: deps.clock.now().toISOString() });
}

/**
 * The project's host port: the one it already has (a redeploy or retry keeps it), else the first free
 * one — released again by `undo` if this attempt fails.
 */
export function reserveProjectPort(
  deps: Pick<DeployDeps, 'ports'>,
  ctx: JobContext,
  row: Pick<ProjectRow, 'id' | 'host_port'>,
  undo: UndoStack,
): Promise<number> {
  return ctx.step('Reserving a host port', async () => {
    const owner = { projectId: row.id, jobId: ctx.job.id };
    const held = row.host_port;
    const port =
      held !== null ? await deps.ports.reserveSpecific(held, owner) : await deps.ports.reserve(owner);
    if (held === null) undo.push(`port ${port} reservation`, () => deps.ports.release(port));
    ctx.log.info(`host port ${port}`);
    return port;
  });
}

/**
 * A second host port for the project: a blue/green release starts beside the live one, which keeps
 * its port until it is gone. Released again by `undo` if this attempt fails.
 */
export function reserveFreshPort(
  deps: Pick<DeployDeps, 'ports'>,
  ctx: JobContext,
  row: Pick<ProjectRow, 'id'>,
  undo: UndoStack,
): Promise<number> {
  return ctx.step('Reserving a host port for the new release', async () => {
    const port = await deps.ports.reserve({ projectId: row.id, jobId: ctx.job.id }, { another: true });
    undo.push(`port ${port} reservation`, () => deps.ports.release(port));
    ctx.log.info(`host port ${port} (the running release keeps its port until it is gone)`);
    return port;
  });
}
