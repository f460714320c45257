import { z } from 'zod';
import type { UsersService } from '../../features/auth/index.js';
import { userListItemSchema } from '../../features/auth/index.js';
import { contextOf } from '../plugins/auth.js';
import { emptySchema, idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** The admin's user list: roles, disabled accounts, revoking sessions and tokens. */
export function userRoutes(app: HttpApp, deps: { users: UsersService }): void {
  app.get(
    '/api/v1/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'List users with role, last activity, sessions and tokens',
        response: withErrors({ 200: z.object({ items: z.array(userListItemSchema) }) }),
      },
    },
    async () => ({ items: await deps.users.list() }),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Set a user’s role by hand, or disable / enable the account',
        params: idParams,
        body: z
          .object({ role: z.enum(['admin', 'operator']).optional(), disabled: z.boolean().optional() })
          .strict(),
        response: withErrors({ 200: userListItemSchema }),
      },
    },
    async (request) => deps.users.update(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/users/:id/revoke',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'End every session and API token of a user',
        params: idParams,
        response: withErrors({ 204: emptySchema }),
      },
    },
    async (request, reply) => {
      await deps.users.revoke(contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
