import { z } from 'zod';
import type { AuditService } from '../../features/audit/index.js';
import { entrySchema } from '../../features/audit/index.js';
import { cursorQuery, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** `GET /api/v1/audit`: newest first, cursor paged. */
export function auditRoutes(app: HttpApp, deps: { audit: AuditService }): void {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        querystring: z
          .object({
            action: z
              .string()
              .regex(/^[a-z_.-]{1,64}$/)
              .optional(),
            actor: z.string().min(1).max(100).optional(),
            projectId: z.uuid().optional(),
            ...cursorQuery,
          })
          .strict(),
        response: withErrors({
          200: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }),
        }),
      },
    },
    async (request) => deps.audit.list(request.query),
  );
}
