import type { ProjectRow } from '../../db/schema.js';
import type { DeployDeps } from './deploy-deps.js';

/** Update a project's status (and anything else) with a fresh `updated_at`. */
export async function setProjectState(
  deps: Pick<DeployDeps, 'projectsRepo' | 'clock'>,
  id: string,
  patch: Partial<Pick<ProjectRow, 'status' | 'host_port' | 'container_names' | 'compose_project' | 'spec'>>,
): Promise<void> {
  await deps.projectsRepo.update(id, { ...patch, updated_at: deps.clock.now().toISOString() });
}
