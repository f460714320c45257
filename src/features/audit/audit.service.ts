import type { AuditRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { parseJson } from '../../lib/json.js';
import { type Page, toPage } from '../../lib/paging.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { AuditQuery, AuditRepository } from '../../repositories/audit.repository.js';

/** One audit entry as the API shows it. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  result: 'ok' | 'error';
  requestId: string | null;
  ip: string | null;
  projectId: string | null;
  details: Record<string, unknown>;
}

/** What an audited action records besides who did it. */
export interface AuditInput {
  target?: string | null;
  result?: 'ok' | 'error';
  projectId?: string | null;
  details?: Record<string, unknown>;
  /** Overrides the actor of the context (e.g. the user who just logged in). */
  actor?: string | null;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  actor: row.actor,
  action: row.action,
  target: row.target,
  result: row.result,
  requestId: row.request_id,
  ip: row.ip,
  projectId: row.project_id,
  details: parseJson(row.details, {}),
});

/** Writes and reads the audit trail: one entry per state change. */
export function createAuditService(deps: { audit: AuditRepository; clock: Clock }) {
  return {
    async record(ctx: RequestContext, action: string, input: AuditInput = {}): Promise<void> {
      await deps.audit.insert({
        id: newId(),
        at: deps.clock.now().toISOString(),
        actor: input.actor !== undefined ? input.actor : (ctx.actor?.login ?? null),
        action,
        target: input.target ?? null,
        result: input.result ?? 'ok',
        request_id: ctx.requestId,
        ip: ctx.ip,
        project_id: input.projectId ?? null,
        details: JSON.stringify(input.details ?? {}),
      });
    },
    async list(query: AuditQuery): Promise<Page<AuditEntry>> {
      return toPage(await deps.audit.list(query), query.limit, toEntry);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
