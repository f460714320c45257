import type { SendResult } from './notify-message.js';

/** How long a receiver may take to answer one attempt. */
export const SEND_TIMEOUT_MS = 10_000;

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e?.cause?.code;
  if (code) return `could not connect (${code})`;
  return `request failed (${e?.cause?.message ?? e?.message ?? String(err)})`;
}

/**
 * POST a body and report the outcome: 2xx is delivered; anything else says what the receiver
 * answered (status and the start of its body) or why nothing answered. Never throws.
 */
export async function postRequest(
  url: string,
  opts: { body: string; headers: Record<string, string>; timeoutMs?: number },
): Promise<SendResult> {
  const timeoutMs = opts.timeoutMs ?? SEND_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'user-agent': 'warp-panel', ...opts.headers },
      body: opts.body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, statusCode: null, message: describeFailure(err, timeoutMs) };
  }
  const text = await res.text().catch(() => '');
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (res.ok) return { ok: true, statusCode: res.status, message: `delivered (HTTP ${res.status})` };
  return {
    ok: false,
    statusCode: res.status,
    message: `the receiver answered HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`,
  };
}
