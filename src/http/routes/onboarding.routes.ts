import { z } from 'zod';
import type { OnboardingService } from '../../features/onboarding/index.js';
import { stateSchema, stepName } from '../../features/onboarding/index.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Per-user onboarding state. */
export function onboardingRoutes(app: HttpApp, deps: { onboarding: OnboardingService }): void {
  app.get(
    '/api/v1/onboarding',
    { schema: { tags: ['onboarding'], response: withErrors({ 200: stateSchema }) } },
    async (request) => deps.onboarding.get(requireActor(request).userId),
  );

  app.patch(
    '/api/v1/onboarding',
    {
      schema: {
        tags: ['onboarding'],
        body: z
          .object({ completed: z.boolean().optional(), steps: z.record(stepName, z.boolean()).optional() })
          .strict()
          .refine((b) => Object.keys(b.steps ?? {}).length <= 50, {
            message: 'too many steps',
            path: ['steps'],
          }),
        response: withErrors({ 200: stateSchema }),
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return deps.onboarding.update({ ...contextOf(request), actor }, request.body);
    },
  );
}
