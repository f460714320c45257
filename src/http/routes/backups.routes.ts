import { z } from 'zod';
import {
  type BackupsService,
  backupJobSchema,
  backupParams,
  backupPolicyBodySchema,
  backupPolicyViewSchema,
  backupSchema,
  backupStatusSchema,
  restoreBodySchema,
} from '../../features/backups/index.js';
import { contextOf } from '../plugins/auth.js';
import { idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** App data backups: policy, back up now, the list, restore, the restore check and the dashboard status. */
export function backupsRoutes(app: HttpApp, deps: { backups: BackupsService }): void {
  app.get(
    '/api/v1/projects/:id/backup-policy',
    {
      config: { auth: 'user' },
      schema: { tags: ['backups'], params: idParams, response: withErrors({ 200: backupPolicyViewSchema }) },
    },
    async (request) => deps.backups.getPolicy(request.params.id),
  );

  // Admin: the target decides where the panel writes on the host or which bucket gets the data.
  app.put(
    '/api/v1/projects/:id/backup-policy',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['backups'],
        params: idParams,
        body: backupPolicyBodySchema,
        response: withErrors({ 200: backupPolicyViewSchema }),
      },
    },
    async (request) => deps.backups.putPolicy(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/projects/:id/backups',
    {
      config: { auth: 'user' },
      schema: { tags: ['backups'], params: idParams, response: withErrors({ 202: backupJobSchema }) },
    },
    async (request, reply) =>
      reply.status(202).send(await deps.backups.backupNow(contextOf(request), request.params.id)),
  );

  app.get(
    '/api/v1/projects/:id/backups',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['backups'],
        params: idParams,
        response: withErrors({ 200: z.object({ items: z.array(backupSchema) }) }),
      },
    },
    async (request) => deps.backups.list(request.params.id),
  );

  app.post(
    '/api/v1/projects/:id/backups/verify',
    {
      config: { auth: 'user' },
      schema: { tags: ['backups'], params: idParams, response: withErrors({ 202: backupJobSchema }) },
    },
    async (request, reply) =>
      reply.status(202).send(await deps.backups.verifyNow(contextOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/projects/:id/backups/:bid/restore',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['backups'],
        params: backupParams,
        body: restoreBodySchema.default({ into: 'project' }),
        response: withErrors({ 202: backupJobSchema }),
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          await deps.backups.restore(contextOf(request), request.params.id, request.params.bid, request.body),
        ),
  );

  app.get(
    '/api/v1/backups/status',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['backups'],
        response: withErrors({ 200: z.object({ items: z.array(backupStatusSchema) }) }),
      },
    },
    async () => deps.backups.status(),
  );
}
