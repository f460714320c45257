/** The releases feature: what the deploy flows, the HTTP layer and the composition root use. */
export * from './release-book.js';
export * from './releases.schemas.js';
export * from './releases.service.js';
