/** The notifications feature: what other features, the HTTP layer and the composition root use. */
export * from './channel-config.js';
export * from './notification-events.js';
export * from './notifications.schemas.js';
export * from './notifications.service.js';
