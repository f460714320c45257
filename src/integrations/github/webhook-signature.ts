import { createHmac, timingSafeEqual } from 'node:crypto';

/** GitHub's cap on webhook payloads: larger ones are never delivered. */
export const GITHUB_WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

/** `X-Hub-Signature-256` for `body`: `sha256=` + hex HMAC-SHA256 under the webhook secret. */
export function githubSignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Why a signature was refused, or null when it is right. */
export type SignatureProblem = 'missing' | 'malformed' | 'mismatch';

/**
 * Check `X-Hub-Signature-256` over the raw body, in constant time (the comparison does not reveal how
 * many leading characters matched). Nothing of the body is parsed before this passed.
 */
export function checkGithubSignature(
  secret: string,
  body: Buffer,
  header: string | string[] | undefined,
): SignatureProblem | null {
  if (header === undefined || header === '') return 'missing';
  if (Array.isArray(header) || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return 'malformed';
  const expected = Buffer.from(githubSignature(secret, body).slice(7), 'hex');
  const given = Buffer.from(header.slice(7), 'hex');
  return timingSafeEqual(expected, given) ? null : 'mismatch';
}
