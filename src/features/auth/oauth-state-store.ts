/** How long a started GitHub sign-in may take (also the state cookie's max age). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/**
 * Pending OAuth sign-ins: state → PKCE verifier, single use, expiring. In memory on purpose: the
 * panel is one process, and losing pending sign-ins on restart only means "sign in again".
 * Bounded, so a flood of /auth/login calls cannot grow it without limit.
 */
export function createOAuthStateStore(opts: { ttlMs?: number; max?: number; now?: () => number } = {}) {
  const ttl = opts.ttlMs ?? OAUTH_STATE_TTL_MS;
  const max = opts.max ?? 2000;
  const now = opts.now ?? Date.now;
  const pending = new Map<string, { verifier: string; expiresAt: number }>();

  function prune(): void {
    const at = now();
    for (const [state, entry] of pending) if (entry.expiresAt <= at) pending.delete(state);
    // Map keeps insertion order: drop the oldest when still over the bound.
    for (const state of pending.keys()) {
      if (pending.size < max) break;
      pending.delete(state);
    }
  }

  return {
    put(state: string, verifier: string): void {
      prune();
      pending.set(state, { verifier, expiresAt: now() + ttl });
    },
    /** The verifier of `state`, removing it (a second call returns null); null when unknown or expired. */
    take(state: string): string | null {
      const entry = pending.get(state);
      pending.delete(state);
      return entry && entry.expiresAt > now() ? entry.verifier : null;
    },
  };
}
