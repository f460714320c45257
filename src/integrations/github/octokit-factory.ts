import type { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { maskCredentials } from './github-errors.js';

/** Every GitHub call gives up after this long unless the caller passes its own signal. */
export const GITHUB_TIMEOUT_MS = 30_000;

/** Octokit's `log` option bound to pino, so nothing goes to the console; messages are masked. */
export function octokitLog(log: Logger) {
  const say = (level: 'debug' | 'warn' | 'error') => (message: string, extra?: unknown) =>
    log[level](
      extra === undefined ? {} : { extra: maskCredentials(JSON.stringify(extra)) },
      maskCredentials(message),
    );
  // Octokit's request log prints every call at info; for the panel that is debug detail.
  return { debug: say('debug'), info: say('debug'), warn: say('warn'), error: say('error') };
}

/** fetch with a default timeout (a caller's own signal wins). */
const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(GITHUB_TIMEOUT_MS) });

/**
 * An Octokit for `baseUrl` (api.github.com or GHES `/api/v3`) that logs through pino. Octokit is loaded
 * on first use, so a panel that never talks to GitHub does not carry it in memory.
 */
export async function createOctokit(opts: { baseUrl: string; log: Logger; auth?: string }): Promise<Octokit> {
  const { Octokit } = await import('@octokit/rest');
  return new Octokit({
    baseUrl: opts.baseUrl,
    auth: opts.auth,
    userAgent: 'warp-panel',
    log: octokitLog(opts.log),
    request: { fetch: fetchWithTimeout },
  });
}
