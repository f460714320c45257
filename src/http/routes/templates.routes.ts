import { z } from 'zod';
import type { TemplatesService } from '../../services/templates.service.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

const templateSchema = z.object({
  fullName: z.string(),
  description: z.string().nullable(),
  private: z.boolean(),
  defaultBranch: z.string(),
});

/** `GET /api/v1/templates`: allow-listed template repos the GitHub App can see. */
export function templatesRoutes(app: HttpApp, deps: { templates: TemplatesService }): void {
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
