import { z } from 'zod';
import type { AuthService } from '../../features/auth/index.js';
import { tokenSchema } from '../../features/auth/index.js';
import { contextOf } from '../plugins/auth.js';
import { emptySchema, idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** API tokens (admin only). */
export function tokenRoutes(app: HttpApp, deps: { auth: AuthService }): void {
  app.get(
    '/api/v1/tokens',
    {
      config: { auth: 'admin' },
      schema: { tags: ['tokens'], response: withErrors({ 200: z.object({ items: z.array(tokenSchema) }) }) },
    },
    async (request) => ({ items: await deps.auth.listApiTokens(contextOf(request)) }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['tokens'],
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
          })
          .strict(),
        response: withErrors({
          201: z.object({
            id: z.string(),
            token: z.string(),
            name: z.string(),
            expiresAt: z.string().nullable(),
          }),
        }),
      },
    },
    async (request, reply) => {
      const created = await deps.auth.createApiToken(
        contextOf(request),
        request.body.name,
        request.body.expiresInDays,
      );
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { auth: 'admin' },
      schema: { tags: ['tokens'], params: idParams, response: withErrors({ 204: emptySchema }) },
    },
    async (request, reply) => {
      await deps.auth.revokeApiToken(contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
