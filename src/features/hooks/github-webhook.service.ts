import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ProjectRow } from '../../db/schema.js';
import { unauthenticated, validationError } from '../../domain/errors.js';
import { parseInstallationEvent, parsePushEvent } from '../../integrations/github/webhook-events.js';
import { checkGithubSignature } from '../../integrations/github/webhook-signature.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { HookDeliveriesRepository } from '../../repositories/hook-deliveries.repository.js';
import type { DeliveriesService } from './deliveries.service.js';
import { displayHeader, type RejectedDelivery } from './hook-context.js';
import type { githubHookAnswerSchema } from './hooks.schemas.js';
import { handlePush, type PushDeps } from './push-event.handler.js';

/** What `POST /hooks/github` received: the raw body (never parsed before the signature passed) and headers. */
export interface GithubDelivery {
  body: Buffer;
  signature: string | string[] | undefined;
  event: string | string[] | undefined;
  deliveryId: string | string[] | undefined;
  contentType: string | undefined;
}

/** The largest body `POST /hooks/github` reads (GitHub never delivers more). */
export { GITHUB_WEBHOOK_MAX_BYTES } from '../../integrations/github/webhook-signature.js';

type Answer = z.infer<typeof githubHookAnswerSchema>;

const INSTALLATION_EVENTS = new Set(['installation', 'installation_repositories']);
const EVENT = /^[a-z_]{1,64}$/;
const DELIVERY = /^[A-Za-z0-9-]{1,128}$/;

/** The JSON payload of a verified body: JSON, or the `payload` field of a form-encoded repository webhook. */
function payloadOf(body: Buffer, contentType: string | undefined): unknown {
  let text = body.toString('utf8');
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * GitHub App webhooks: check `X-Hub-Signature-256` against `github.webhookSecret` before anything else,
 * then de-duplicate by `X-GitHub-Delivery` (a redelivery does nothing), then act: pushes deploy the
 * projects that track the pushed branch, installation events refresh the template list, ping and
 * unknown events are recorded and ignored. Every delivery is recorded, with the reason when ignored.
 */
export function createGithubWebhookService(
  deps: PushDeps & {
    deliveries: DeliveriesService;
    repo: Pick<HookDeliveriesRepository, 'claim' | 'hasKey' | 'update'>;
    webhookSecret: () => Promise<string | null>;
    listProjects: () => Promise<ProjectRow[]>;
    log: Logger;
    onRejected: (r: RejectedDelivery) => void;
    onInstallationChanged: () => void;
  },
) {
  async function recordRejected(
    ctx: RequestContext,
    input: Omit<GithubDelivery, 'body' | 'signature' | 'contentType'>,
    reason: string,
  ) {
    const row = await deps.deliveries.record({
      source: 'github',
      event: displayHeader(input.event) ?? 'unknown',
      delivery_id: displayHeader(input.deliveryId, 128),
      result: 'rejected',
      reason,
    });
    deps.log.warn({ reason, deliveryId: row.delivery_id, ip: ctx.ip }, 'GitHub webhook rejected');
    deps.onRejected({
      source: 'github',
      reason,
      deliveryId: row.delivery_id,
      event: row.event,
      projectId: null,
      ip: ctx.ip,
      at: row.at,
    });
  }

  async function reject(
    ctx: RequestContext,
    input: GithubDelivery,
    reason: string,
    error: Error,
  ): Promise<never> {
    await recordRejected(ctx, input, reason);
    throw error;
  }

  return {
    /** Record a delivery refused before it reached `receive` (its body was over GitHub's 25 MB cap). */
    tooLarge: (ctx: RequestContext, input: Pick<GithubDelivery, 'event' | 'deliveryId'>) =>
      recordRejected(ctx, input, "the body is over GitHub's 25 MB limit"),

    /** Handle one delivery: 200 handled (or a redelivery), 202 an event the panel does not use; throws 401/400. */
    async receive(
      ctx: RequestContext,
      input: GithubDelivery,
    ): Promise<{ status: 200 | 202; answer: Answer }> {
      const secret = await deps.webhookSecret();
      if (!secret) {
        const reason = 'no webhook secret is set (settings: github.webhookSecret)';
        return reject(ctx, input, reason, unauthenticated(`webhook refused: ${reason}`));
      }
      const problem = checkGithubSignature(secret, input.body, input.signature);
      if (problem) {
        const reason =
          problem === 'missing'
            ? 'X-Hub-Signature-256 is missing'
            : `X-Hub-Signature-256 is ${problem === 'mismatch' ? 'wrong' : 'malformed'}`;
        return reject(ctx, input, reason, unauthenticated(`webhook refused: ${reason}`));
      }
      const event = typeof input.event === 'string' ? input.event : '';
      const deliveryId = typeof input.deliveryId === 'string' ? input.deliveryId : '';
      if (!EVENT.test(event) || !DELIVERY.test(deliveryId)) {
        const reason = 'X-GitHub-Event or X-GitHub-Delivery is missing or malformed';
        return reject(ctx, input, reason, validationError(`webhook refused: ${reason}`));
      }
      const payload = payloadOf(input.body, input.contentType);
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        const reason = 'the body is not a JSON object';
        return reject(ctx, input, reason, validationError(`webhook refused: ${reason}`));
      }

      // The first row of a delivery carries its dedupe keys: a redelivery (same id) or a replay of the
      // same body under another id cannot claim them again.
      const claim = deps.deliveries.row({
        source: 'github',
        event,
        delivery_id: deliveryId,
        dedupe_key: `github:${deliveryId}`,
        payload_sha256: createHash('sha256').update(input.body).digest('hex'),
        result: 'ignored',
        reason: 'being handled',
      });
      if (!(await deps.repo.claim(claim))) {
        const duplicate = {
          status: 200 as const,
          answer: { deliveryId, event, duplicate: true, outcomes: [] },
        };
        if (await deps.repo.hasKey(claim.dedupe_key!)) {
          deps.log.info({ deliveryId, event }, 'GitHub webhook redelivered; already handled');
          return duplicate;
        }
        const reason = 'the same payload already arrived under another delivery id (a replay); nothing done';
        await deps.deliveries.record({
          source: 'github',
          event,
          delivery_id: deliveryId,
          result: 'ignored',
          reason,
        });
        deps.log.warn(
          { deliveryId, event, ip: ctx.ip },
          'GitHub webhook payload replayed under a new id; ignored',
        );
        return duplicate;
      }
      const done = async (reason: string, status: 200 | 202 = 200) => {
        await deps.repo.update(claim.id, { reason });
        const outcome = { projectId: null, result: 'ignored' as const, reason, jobId: null };
        return { status, answer: { deliveryId, event, duplicate: false, outcomes: [outcome] } };
      };

      if (event === 'ping') return done('ping: GitHub reaches the panel');
      if (INSTALLATION_EVENTS.has(event)) {
        const inst = parseInstallationEvent(payload);
        deps.onInstallationChanged();
        return done(`${event} ${inst?.action ?? 'changed'}: template and repository lists refreshed`);
      }
      if (event !== 'push') {
        deps.log.info({ deliveryId, event }, 'GitHub webhook event not used; ignored');
        return done(`the panel does not use ${event} events`, 202);
      }
      const push = parsePushEvent(payload);
      if (!push) {
        const reason = 'the push payload lacks ref, after or repository';
        await deps.repo.update(claim.id, { result: 'rejected', reason });
        throw validationError(`webhook refused: ${reason}`);
      }
      const outcomes = await handlePush(deps, ctx, claim, push, await deps.listProjects());
      return { status: 200, answer: { deliveryId, event, duplicate: false, outcomes } };
    },
  };
}

/** The GitHub webhook service. */
export type GithubWebhookService = ReturnType<typeof createGithubWebhookService>;
