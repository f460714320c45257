/** One field problem from the API's `details`. */
export interface ErrorDetail {
  path: string;
  message: string;
  /** The project that holds what was asked for (a 409 on a subdomain or a port). */
  projectId?: string;
}

/** An API failure in API.md's error shape (or a synthesised one for network / non-JSON failures). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly requestId: string | null;

  constructor(
    status: number,
    code: string,
    message: string,
    details: ErrorDetail[] = [],
    requestId = null as string | null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

const SAFE = new Set(['GET', 'HEAD']);

/**
 * Whether the server has no such route at all (its not-found handler says "no route for …"), as opposed to
 * a 404 for a missing object: a UI newer than its server hides or explains the feature instead of failing.
 */
export const isMissingRoute = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 404 && error.message.startsWith('no route');

/** Turn any response body into an ApiError (the API's own body when it has one). */
async function errorFrom(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id');
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: ErrorDetail[] };
    };
    if (body?.error?.code) {
      return new ApiError(
        res.status,
        body.error.code,
        body.error.message ?? res.statusText,
        body.error.details ?? [],
        requestId,
      );
    }
  } catch {
    // not JSON: fall through to a generic error
  }
  return new ApiError(
    res.status,
    `HTTP_${res.status}`,
    `${res.status} ${res.statusText || 'request failed'}`,
    [],
    requestId,
  );
}

/** Call the API: JSON in/out, the session cookie, and `X-Warp-Request: 1` on every write (CSRF rule). */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!SAFE.has(method)) headers['x-warp-request'] = '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.body === undefined ? null : JSON.stringify(init.body),
      signal: init.signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The panel did not answer. Check your connection and try again.');
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return null as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Build a query string from the set values only. */
export function qs(params: Record<string, string | number | boolean | null | undefined | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** Health endpoints answer 503 with a normal body when something is down: return it instead of throwing. */
export async function health<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The panel did not answer.');
  }
  if (res.ok || res.status === 503) {
    try {
      return (await res.json()) as T;
    } catch {
      // fall through
    }
  }
  throw await errorFrom(res);
}
