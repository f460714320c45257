/** The system feature: what other features, the HTTP layer and the composition root use. */

export * from './system.schemas.js';
export * from './system.service.js';
