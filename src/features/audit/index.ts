/** The audit feature: what other features, the HTTP layer and the composition root use. */

export * from './audit.schemas.js';
export * from './audit.service.js';
