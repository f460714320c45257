import { z } from 'zod';
import type { TemplatesService } from '../../features/deploy/index.js';
import { templateSchema } from '../../features/deploy/index.js';
import { webhookStatusSchema } from '../../features/hooks/index.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/**
 * `GET /api/v1/templates`, and the GitHub App check the onboarding shows (`GET /api/v1/github/app/check`,
 * with the webhook's last delivery).
 */
export function templatesRoutes(
  app: HttpApp,
  deps: {
    templates: TemplatesService;
    checkApp: () => Promise<{
      ok: boolean;
      permissions: Record<string, string>;
      message: string;
      webhook?: z.infer<typeof webhookStatusSchema>;
    }>;
  },
): void {
  app.get(
    '/api/v1/github/app/check',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['templates'],
        response: withErrors({
          200: z.object({
            ok: z.boolean(),
            permissions: z.record(z.string(), z.string()),
            message: z.string(),
            /** Whether GitHub's webhooks reach the panel (push to deploy). */
            webhook: webhookStatusSchema.optional(),
          }),
        }),
      },
    },
    async () => deps.checkApp(),
  );

  app.get(
    '/api/v1/templates',
    {
      schema: {
        tags: ['templates'],
        response: withErrors({ 200: z.object({ items: z.array(templateSchema) }) }),
      },
    },
    async () => ({ items: await deps.templates.list() }),
  );
}
