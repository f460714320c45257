/** The auth feature: what other features, the HTTP layer and the composition root use. */

export * from './auth.schemas.js';
export * from './auth.service.js';
export * from './github-auth.service.js';
export * from './oauth-state-store.js';
export * from './passkeys.service.js';
export * from './password.service.js';
export * from './users.service.js';
