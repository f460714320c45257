/** The hooks feature (push to deploy): what the HTTP layer and the composition root use. */
export * from './commit-status.reporter.js';
export * from './deliveries.service.js';
export * from './deploy-hooks.service.js';
export * from './github-webhook.service.js';
export * from './hook-context.js';
export * from './hooks.feature.js';
export * from './hooks.schemas.js';
