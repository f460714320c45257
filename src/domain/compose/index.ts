export * from './compose-model.js';
export * from './panel-changes.js';
export * from './proxy-service.js';
export * from './release-model.js';
export * from './release-strategy.js';
