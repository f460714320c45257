import type { UserRow } from '../../db/schema.js';

/** The access settings a GitHub user is judged by. */
export interface AccessLists {
  allowedUsers: readonly string[];
  allowedOrgs: readonly string[];
  adminUsers: readonly string[];
}

const has = (list: readonly string[], name: string): boolean =>
  list.some((x) => x.toLowerCase() === name.toLowerCase());

/** The org a user was let in through (`admitted_via` = `org:<name>`), if any. */
export const admittingOrg = (user: Pick<UserRow, 'admitted_via'>): string | null =>
  user.admitted_via?.startsWith('org:') ? user.admitted_via.slice(4) : null;

/**
 * What a user may do now, judged on every request so that access changes apply at once: null when
 * the account is disabled or no longer qualifies (not listed, and its org left the allow-list). The
 * role follows `adminUsers` unless an admin set it by hand. The local admin always qualifies.
 */
export function effectiveAccess(user: UserRow, lists: AccessLists): { role: 'admin' | 'operator' } | null {
  if (user.disabled) return null;
  if (user.provider === 'local') return { role: 'admin' };
  const admin = has(lists.adminUsers, user.login);
  const org = admittingOrg(user);
  const admitted =
    admin || has(lists.allowedUsers, user.login) || (org !== null && has(lists.allowedOrgs, org));
  if (!admitted) return null;
  if (user.role_source === 'manual') return { role: user.role };
  return { role: admin ? 'admin' : 'operator' };
}
