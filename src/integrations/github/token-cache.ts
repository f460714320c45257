/** Re-mint an installation token this long before GitHub's `expires_at`. */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000;
/** Never keep a token longer than @octokit/auth-app's own default (59 min). */
const MAX_TTL_MS = 59 * 60_000;

/**
 * A cache for @octokit/auth-app that honours each token's real `expires_at` (its built-in LRU keeps
 * every token 59 minutes regardless). auth-app stores `token|createdAt|expiresAt|…` strings.
 */
export function createTokenCache(now: () => number = Date.now) {
  const entries = new Map<string, { value: string; until: number }>();
  return {
    /** The cached value, or '' (auth-app treats any falsy value as a miss). */
    get(key: string): string {
      const entry = entries.get(key);
      if (!entry) return '';
      if (entry.until <= now()) {
        entries.delete(key);
        return '';
      }
      return entry.value;
    },
    set(key: string, value: string): void {
      const expiresAt = Date.parse(value.split('|')[2] ?? '');
      const byExpiry = Number.isFinite(expiresAt) ? expiresAt - TOKEN_EXPIRY_MARGIN_MS : 0;
      const until = Math.min(byExpiry, now() + MAX_TTL_MS);
      if (until > now()) entries.set(key, { value, until });
      else entries.delete(key);
    },
    clear: () => entries.clear(),
  };
}
