/** The containers feature: what other features, the HTTP layer and the composition root use. */

export type { LiveLogLine } from '../../integrations/docker/live-logs.js';
export * from './container-access.js';
export * from './containers.schemas.js';
export * from './containers.service.js';
