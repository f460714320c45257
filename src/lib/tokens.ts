import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random URL-safe secret with an optional readable prefix (`wp_…`). */
export const randomToken = (prefix = '', bytes = 32): string =>
  prefix + randomBytes(bytes).toString('base64url');

/** SHA-256 hex of a token: what the database stores instead of the token. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The last four characters, the only part of a secret the API ever shows. */
export const hintOf = (secret: string): string | null =>
  secret.length >= 12 ? `…${secret.slice(-4)}` : null;
