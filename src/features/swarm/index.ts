/** The swarm feature: Swarm deploy flows, request checks and project status (tasks, service logs). */

export * from './swarm.schemas.js';
export type { SwarmDeps, SwarmProjectSpec } from './swarm-deps.js';
export * from './swarm-flows.js';
export * from './swarm-status.service.js';
