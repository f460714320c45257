/** The deploy feature: what other features, the HTTP layer and the composition root use. */
export * from './deploy.handlers.js';
export * from './deploy.schemas.js';
export type { Publisher, SwarmFlows } from './deploy-deps.js';
export * from './deploy-recovery.js';
export * from './deploy-requests.service.js';
export * from './forward.handler.js';
export * from './forwards.service.js';
export * from './host-repos.service.js';
export * from './ports.service.js';
export * from './projects.service.js';
export * from './templates.service.js';
