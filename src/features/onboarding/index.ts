/** The onboarding feature: what other features, the HTTP layer and the composition root use. */

export * from './onboarding.schemas.js';
export * from './onboarding.service.js';
