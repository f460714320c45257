/** The deploy feature: what other features, the HTTP layer and the composition root use. */

export * from './compose-plan.js';
export { planResponseSchema } from './compose-plan.view.js';
export * from './deploy.handlers.js';
export * from './deploy.schemas.js';
export type {
  CommitDeployState,
  CommitStatusReporter,
  Publisher,
  RegistryAccess,
  SwarmFlows,
} from './deploy-deps.js';
export * from './deploy-recovery.js';
export * from './deploy-requests.service.js';
export * from './forward.handler.js';
export * from './forwards.service.js';
export * from './host-repos.service.js';
export * from './plan-store.js';
export * from './ports.service.js';
export * from './project-edit.js';
export * from './project-plans.service.js';
export * from './project-status.watcher.js';
export * from './projects.service.js';
export type { Project } from './projects.view.js';
export * from './templates.service.js';
