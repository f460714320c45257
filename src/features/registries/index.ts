/** The registries feature: what other features, the HTTP layer and the composition root use. */

export * from './registries.schemas.js';
export * from './registries.service.js';
