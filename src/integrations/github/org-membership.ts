import type { Octokit } from '@octokit/rest';
import { statusOf } from './github-errors.js';

/**
 * Whether `login` is a member of `org`, asked with the App installation's token
 * (`GET /orgs/{org}/members/{username}`: 204 member, 404 not). Null when GitHub cannot tell us
 * (the App cannot see the org's members, or GitHub is unreachable): the caller keeps what it had.
 */
export async function orgMembership(octokit: Octokit, org: string, login: string): Promise<boolean | null> {
  try {
    const res = await octokit.request('GET /orgs/{org}/members/{username}', { org, username: login });
    // 302: the App is not in the org, so GitHub will not say who is.
    return (res.status as number) === 204 ? true : null;
  } catch (err) {
    return statusOf(err) === 404 ? false : null;
  }
}
