import { setTimeout as sleep } from 'node:timers/promises';
import type { Octokit } from '@octokit/rest';
import { upstreamError } from '../../domain/errors.js';
import { statusOf, toGithubError } from './github-errors.js';

/** Options of `waitForContent`. */
export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Abort (job cancel / shutdown). */
  signal?: AbortSignal;
  /** First pause between polls (default 500 ms); doubles up to `maxDelayMs` (default 4 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Poll `GET /repos/{o}/{r}/commits?per_page=1` until it answers 200. GitHub documents no readiness
 * signal for generated repos (integration-facts §1): 409 "Git Repository is empty." means the copy is
 * still running, and a brand-new repo can briefly 404, so both mean "keep waiting".
 */
export async function waitForContent(
  octokit: Octokit,
  owner: string,
  repo: string,
  opts: WaitOptions = {},
): Promise<{ sha: string; attempts: number }> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxDelay = opts.maxDelayMs ?? 4_000;
  const deadline = Date.now() + timeoutMs;
  let delay = opts.initialDelayMs ?? 500;
  for (let attempts = 1; ; attempts++) {
    opts.signal?.throwIfAborted();
    try {
      const { data } = await octokit.rest.repos.listCommits({
        owner,
        repo,
        per_page: 1,
        request: opts.signal ? { signal: opts.signal } : {},
      });
      return { sha: data[0]?.sha ?? '', attempts };
    } catch (err) {
      opts.signal?.throwIfAborted();
      const status = statusOf(err);
      if (status !== 409 && status !== 404) throw toGithubError(err, `reading commits of ${owner}/${repo}`);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw upstreamError(
        'GitHub',
        `${owner}/${repo} is still empty after ${Math.round(timeoutMs / 1000)} s (template copy not finished)`,
      );
    }
    await sleep(Math.min(delay, left), undefined, opts.signal ? { signal: opts.signal } : {});
    delay = Math.min(delay * 2, maxDelay);
  }
}
