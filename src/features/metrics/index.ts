/** The metrics feature: what other features, the HTTP layer and the composition root use. */
export * from './metrics.schemas.js';
export * from './metrics-query.js';
export * from './metrics-sampler.js';
export * from './project-index.js';
export * from './sample-reader.js';
export * from './threshold-watch.js';
export * from './thresholds.service.js';
