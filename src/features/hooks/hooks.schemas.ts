import { z } from 'zod';

/** One delivery as `GET …/deliveries` lists it (API.md → Push to deploy). */
export const deliverySchema = z.object({
  id: z.string(),
  /** `X-GitHub-Delivery`, or the row's own id for a deploy-hook call. */
  deliveryId: z.string().nullable(),
  source: z.enum(['github', 'deploy_hook']),
  event: z.string(),
  repo: z.string().nullable(),
  ref: z.string().nullable(),
  commit: z.string().nullable(),
  result: z.enum(['deployed', 'queued', 'ignored', 'rejected']),
  /** Why it was ignored or rejected (or what it replaced). */
  reason: z.string().nullable(),
  at: z.string(),
  projectId: z.string().nullable(),
  jobId: z.string().nullable(),
});

/** `GET /api/v1/projects/:id/deliveries`: the deliveries plus what the project listens to. */
export const projectDeliveriesSchema = z.object({
  items: z.array(deliverySchema),
  /** The branch pushes must go to (null: the repository's default branch). */
  branch: z.string().nullable(),
  autoDeploy: z.boolean(),
  /** Whether a deploy-hook token exists (the token itself is shown only once). */
  deployHook: z
    .object({ url: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() })
    .nullable(),
});

/** `GET /api/v1/deliveries`. */
export const deliveriesSchema = z.object({ items: z.array(deliverySchema) });

/** `POST /api/v1/projects/:id/deploy-hook` → 201 (the token is shown this once). */
export const deployHookCreatedSchema = z.object({ url: z.string(), token: z.string() });

/** `POST /hooks/deploy/:projectId` body. */
export const deployHookBodySchema = z
  .object({
    /** A branch (`main` or `refs/heads/main`) whose head to deploy instead of the tracked branch. */
    ref: z.string().min(1).max(255).optional(),
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'expected a 40-character commit id')
      .optional(),
  })
  .strict();

/** `POST /hooks/deploy/:projectId` params. */
export const deployHookParams = z.object({ projectId: z.uuid() }).strict();

/** What one project made of a GitHub delivery. */
export const outcomeSchema = z.object({
  projectId: z.string().nullable(),
  result: z.enum(['deployed', 'queued', 'ignored', 'rejected']),
  reason: z.string().nullable(),
  jobId: z.string().nullable(),
});

/** `POST /hooks/github` answer (200 handled, 202 unknown event). */
export const githubHookAnswerSchema = z.object({
  deliveryId: z.string(),
  event: z.string(),
  /** True for a redelivery of a delivery already handled: nothing was done again. */
  duplicate: z.boolean(),
  outcomes: z.array(outcomeSchema),
});

/** The webhook part of the GitHub App check. */
export const webhookStatusSchema = z.object({
  secretSet: z.boolean(),
  url: z.string(),
  lastDeliveryAt: z.string().nullable(),
  lastEvent: z.string().nullable(),
});

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(deliverySchema, { id: 'HookDelivery' });
z.globalRegistry.add(webhookStatusSchema, { id: 'WebhookStatus' });
