/** The settings feature: what other features, the HTTP layer and the composition root use. */

export * from './registries-setting.js';
export * from './setting-labels.js';
export * from './settings.schema.js';
export * from './settings.service.js';
