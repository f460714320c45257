/** The tunnel feature: what other features, the HTTP layer and the composition root use. */

export * from './tunnel.schemas.js';
export * from './tunnel.service.js';
