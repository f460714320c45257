/** Who acts: a signed-in user, by session cookie or API token. */
export interface Actor {
  userId: string;
  login: string;
  role: 'admin' | 'operator';
  via: 'session' | 'token';
  /** Hash id of the session when `via` is `session`. */
  sessionId?: string;
}

/** What services know about the request that called them (never Fastify types). */
export interface RequestContext {
  actor: Actor | null;
  requestId: string | null;
  ip: string | null;
}

/** Context for work the panel does by itself (start-up, runner). */
export const systemContext: RequestContext = { actor: null, requestId: null, ip: null };
