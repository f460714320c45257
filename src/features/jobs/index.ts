/** The jobs feature: what other features, the HTTP layer and the composition root use. */
export * from './job-registry.js';
export * from './job-runner.js';
export * from './job-types.js';
export * from './jobs.schemas.js';
export * from './jobs.service.js';
export * from './log-bus.js';
