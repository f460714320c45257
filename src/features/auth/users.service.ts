import type { UserRow } from '../../db/schema.js';
import { conflict, notFound } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { Repositories } from '../../repositories/index.js';
import type { AuditService } from '../audit/index.js';
import { type AccessLists, effectiveAccess } from './access-policy.js';
import type { AuthService } from './auth.service.js';

/** A user as the admin's user list shows it. */
export interface UserListItem {
  id: string;
  login: string;
  name: string | null;
  role: 'admin' | 'operator';
  roleSource: 'settings' | 'manual';
  provider: 'github' | 'local';
  disabled: boolean;
  admittedVia: string | null;
  lastSeenAt: string | null;
  sessions: number;
  tokens: number;
}

const latest = (...values: (string | null | undefined)[]): string | null =>
  values
    .filter((v): v is string => typeof v === 'string')
    .sort()
    .at(-1) ?? null;

/** The admin's user list: who has access, how they use it, and the controls to take it away. */
export function createUsersService(deps: {
  repos: Pick<Repositories, 'users' | 'sessions' | 'apiTokens'>;
  auth: Pick<AuthService, 'revokeAll'>;
  accessLists: () => Promise<AccessLists>;
  audit: AuditService;
  clock: Clock;
}) {
  const { users, sessions, apiTokens } = deps.repos;

  async function present(rows: UserRow[]): Promise<UserListItem[]> {
    const at = deps.clock.now().toISOString();
    const [s, t] = await Promise.all([sessions.activityByUser(at), apiTokens.activityByUser(at)]);
    const bySession = new Map(s.map((r) => [r.user_id, r]));
    const byToken = new Map(t.map((r) => [r.user_id, r]));
    const lists = await deps.accessLists();
    const items: UserListItem[] = [];
    for (const u of rows) {
      const access = effectiveAccess(u, lists);
      items.push({
        id: u.id,
        login: u.login,
        name: u.name,
        role: access?.role ?? u.role,
        roleSource: u.role_source,
        provider: u.provider,
        disabled: Boolean(u.disabled),
        admittedVia: u.provider === 'local' ? 'local' : (u.admitted_via ?? null),
        lastSeenAt: latest(
          u.last_login_at,
          bySession.get(u.id)?.last as string,
          byToken.get(u.id)?.last as string,
        ),
        sessions: access ? Number(bySession.get(u.id)?.n ?? 0) : 0,
        tokens: access ? Number(byToken.get(u.id)?.n ?? 0) : 0,
      });
    }
    return items;
  }

  async function load(id: string): Promise<UserRow> {
    const row = await users.findById(id);
    if (!row) throw notFound('user');
    return row;
  }

  return {
    list: async (): Promise<UserListItem[]> => present(await users.list()),

    /** Set a role by hand or disable/enable an account; a disabled account loses its sessions and tokens. */
    async update(
      ctx: RequestContext,
      id: string,
      patch: { role?: 'admin' | 'operator' | undefined; disabled?: boolean | undefined },
    ): Promise<UserListItem> {
      const row = await load(id);
      if (row.id === ctx.actor?.userId && (patch.disabled || patch.role === 'operator')) {
        throw conflict('you cannot disable or demote your own account; ask another admin');
      }
      if (row.provider === 'local' && (patch.disabled || patch.role === 'operator')) {
        throw conflict('the local admin is the recovery account; it stays an enabled admin');
      }
      const at = deps.clock.now().toISOString();
      await users.update(id, {
        ...(patch.role ? { role: patch.role, role_source: 'manual' as const } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        updated_at: at,
      });
      if (patch.disabled) await deps.auth.revokeAll(id);
      await deps.audit.record(ctx, 'user.update', { target: row.login, details: { ...patch } });
      const [item] = await present([await load(id)]);
      return item as UserListItem;
    },

    /** End every session and API token of a user now (the account stays). */
    async revoke(ctx: RequestContext, id: string): Promise<void> {
      const row = await load(id);
      await deps.auth.revokeAll(id);
      await deps.audit.record(ctx, 'user.revoke', { target: row.login });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
