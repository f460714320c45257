import type { FastifyError } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  deliveriesSchema,
  deployHookBodySchema,
  deployHookCreatedSchema,
  deployHookParams,
  GITHUB_WEBHOOK_MAX_BYTES,
  githubHookAnswerSchema,
  type HooksFeature,
  projectDeliveriesSchema,
} from '../../features/hooks/index.js';
import { jobSchema } from '../../features/jobs/index.js';
import { contextOf } from '../plugins/auth.js';
import { errorBodySchema, idParams, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** The Content-Type each webhook request came with, before it was set aside for the raw parser. */
const sentContentType = new WeakMap<object, string | undefined>();

/** GitHub retries and bursts (a push to many branches): generous, but a flood from one address stops. */
const GITHUB_RATE_LIMIT = { max: 300, timeWindow: '1 minute' };
/** Deploy hooks: a CI pipeline calls once per build. */
export const DEPLOY_HOOK_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

/**
 * Push to deploy. `/hooks/*` are public at the session level and authenticate by signature (GitHub) or
 * by the project's deploy-hook token; the `/api/v1` routes list deliveries and create/rotate the hook.
 */
export function hooksRoutes(app: HttpApp, deps: { hooks: HooksFeature }): void {
  // Its own scope: the body stays raw bytes (up to GitHub's 25 MB) until the signature over exactly
  // those bytes passed — no JSON parser runs on this route.
  app.register(async (scope) => {
    const raw = scope.withTypeProvider<ZodTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: GITHUB_WEBHOOK_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );
    raw.addHook('onError', async (request, _reply, error: FastifyError) => {
      if (error.statusCode === 413) {
        await deps.hooks.github.tooLarge(contextOf(request), {
          event: request.headers['x-github-event'],
          deliveryId: request.headers['x-github-delivery'],
        });
      }
    });
    raw.post(
      '/hooks/github',
      {
        config: { auth: 'hook', rateLimit: GITHUB_RATE_LIMIT },
        // Read every body as bytes, whatever its Content-Type says (even a malformed one): the signature
        // decides first, so an unsigned request is a 401, never a 415.
        onRequest: async (request) => {
          sentContentType.set(request, request.headers['content-type']);
          request.headers['content-type'] = 'application/octet-stream';
        },
        bodyLimit: GITHUB_WEBHOOK_MAX_BYTES,
        schema: {
          tags: ['hooks'],
          summary: 'GitHub App webhook (X-Hub-Signature-256, X-GitHub-Event, X-GitHub-Delivery)',
          response: withErrors({
            200: githubHookAnswerSchema,
            202: githubHookAnswerSchema,
            413: errorBodySchema,
          }),
        },
      },
      async (request, reply) => {
        const h = request.headers;
        const { status, answer } = await deps.hooks.github.receive(contextOf(request), {
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          signature: h['x-hub-signature-256'],
          event: h['x-github-event'],
          deliveryId: h['x-github-delivery'],
          contentType: sentContentType.get(request),
        });
        return reply.status(status).send(answer);
      },
    );
  });

  app.post(
    '/hooks/deploy/:projectId',
    {
      config: { auth: 'hook', rateLimit: DEPLOY_HOOK_RATE_LIMIT },
      // The token is checked before the body is parsed (and after the rate limit's onRequest): a caller
      // without it learns nothing from validation.
      preParsing: async (request, _reply, payload) => {
        const { projectId } = request.params as { projectId?: string };
        await deps.hooks.deployHooks.authenticate(
          contextOf(request),
          typeof projectId === 'string' ? projectId : '',
          request.headers.authorization,
        );
        return payload;
      },
      schema: {
        tags: ['hooks'],
        summary: 'Deploy the project (Authorization: Bearer <deploy-hook token>)',
        params: deployHookParams,
        body: deployHookBodySchema.nullish(),
        response: withErrors({ 202: z.object({ job: jobSchema }) }),
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(
          await deps.hooks.deployHooks.trigger(contextOf(request), request.params.projectId, request.body),
        ),
  );

  app.get(
    '/api/v1/projects/:id/deliveries',
    {
      schema: {
        tags: ['hooks'],
        params: idParams,
        response: withErrors({ 200: projectDeliveriesSchema }),
      },
    },
    async (request) => deps.hooks.deliveries.forProject(request.params.id),
  );

  app.get(
    '/api/v1/deliveries',
    { schema: { tags: ['hooks'], response: withErrors({ 200: deliveriesSchema }) } },
    async () => ({ items: await deps.hooks.deliveries.recent() }),
  );

  app.post(
    '/api/v1/projects/:id/deploy-hook',
    {
      schema: {
        tags: ['hooks'],
        params: idParams,
        response: withErrors({ 201: deployHookCreatedSchema }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await deps.hooks.deployHooks.rotate(contextOf(request), request.params.id)),
  );
}
