import { z } from 'zod';
import type { Notifications } from '../../features/notifications/index.js';
import {
  attemptSchema,
  channelSchema,
  createChannelSchema,
  deliveriesQuerySchema,
  patchChannelSchema,
  testResultSchema,
} from '../../features/notifications/index.js';
import { contextOf } from '../plugins/auth.js';
import { emptySchema, idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Notification channels and the delivery log (admin only: channels hold credentials). */
export function notificationsRoutes(app: HttpApp, deps: { notifications: Notifications }): void {
  const channels = deps.notifications.channels;
  const admin = { auth: 'admin' as const };

  app.get(
    '/api/v1/notifications/channels',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        response: withErrors({ 200: z.object({ items: z.array(channelSchema) }) }),
      },
    },
    async () => ({ items: await channels.list() }),
  );

  app.post(
    '/api/v1/notifications/channels',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        body: createChannelSchema,
        response: withErrors({ 201: channelSchema }),
      },
    },
    async (request, reply) => reply.status(201).send(await channels.create(contextOf(request), request.body)),
  );

  app.get(
    '/api/v1/notifications/channels/:id',
    {
      config: admin,
      schema: { tags: ['notifications'], params: idParams, response: withErrors({ 200: channelSchema }) },
    },
    async (request) => channels.get(request.params.id),
  );

  app.patch(
    '/api/v1/notifications/channels/:id',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        params: idParams,
        body: patchChannelSchema,
        response: withErrors({ 200: channelSchema }),
      },
    },
    async (request) => channels.update(contextOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/notifications/channels/:id',
    {
      config: admin,
      schema: { tags: ['notifications'], params: idParams, response: withErrors({ 204: emptySchema }) },
    },
    async (request, reply) => {
      await channels.remove(contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/notifications/channels/:id/test',
    {
      config: admin,
      schema: { tags: ['notifications'], params: idParams, response: withErrors({ 200: testResultSchema }) },
    },
    async (request) => channels.test(contextOf(request), request.params.id),
  );

  app.get(
    '/api/v1/notifications/deliveries',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        querystring: deliveriesQuerySchema,
        response: withErrors({
          200: z.object({ items: z.array(attemptSchema), nextCursor: z.string().nullable() }),
        }),
      },
    },
    async (request) => {
      const { ok, ...rest } = request.query;
      return deps.notifications.attempts({ ...rest, ok: ok === undefined ? undefined : ok === 'true' });
    },
  );
}
