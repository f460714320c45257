import type { RequestContext } from '../../lib/request-context.js';

/** Why a delivery was refused, for the `webhook.rejected` notification (wired later). */
export interface RejectedDelivery {
  source: 'github' | 'deploy_hook';
  reason: string;
  deliveryId: string | null;
  event: string | null;
  projectId: string | null;
  ip: string | null;
  at: string;
}

/**
 * The context of a deploy a hook started: its actor is named after the hook (`github:octocat`,
 * `deploy-hook`) so the audit trail and the job say who asked, but it is no user and holds no session.
 */
export function hookContext(
  login: string,
  base: { requestId: string | null; ip: string | null },
): RequestContext {
  return {
    actor: { userId: `hook:${login}`, login, role: 'operator', via: 'token' },
    requestId: base.requestId,
    ip: base.ip,
  };
}

/** A header value fit to show (unverified headers are recorded, so keep them short and plain). */
export function displayHeader(value: string | string[] | undefined, max = 64): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  const clean = v.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, max);
  return clean === '' ? null : clean;
}
