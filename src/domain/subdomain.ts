import { validationError } from './errors.js';

/**
 * Subdomains and base domains. A subdomain is exactly one DNS label, because Cloudflare's free
 * edge certificates cover `*.example.com` but not `a.b.example.com`.
 */

/** One lowercase RFC 1123 label (1–63 characters, no leading or trailing hyphen). */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Subdomains the panel never hands out: names commonly used for the panel itself, mail and DNS
 * infrastructure, and client auto-configuration (so a project cannot impersonate them).
 */
export const RESERVED_SUBDOMAINS: ReadonlySet<string> = new Set([
  'www',
  'api',
  'panel',
  'admin',
  'mail',
  'smtp',
  'imap',
  'pop',
  'pop3',
  'webmail',
  'ftp',
  'localhost',
  'ns',
  'ns1',
  'ns2',
  'ns3',
  'ns4',
  'mx',
  'autoconfig',
  'autodiscover',
  'wpad',
  'isatap',
]);

const invalid = (path: string, message: string) => validationError(message, [{ path, message }]);

/** Validates a subdomain (one DNS label, lowercased, not reserved) and returns it normalised. */
export function parseSubdomain(s: string): string {
  const label = typeof s === 'string' ? s.toLowerCase() : '';
  if (label === '') throw invalid('subdomain', 'subdomain is empty');
  if (!LABEL.test(label)) {
    throw invalid(
      'subdomain',
      'subdomain must be one DNS label: a-z, 0-9 and inner hyphens, at most 63 characters',
    );
  }
  if (RESERVED_SUBDOMAINS.has(label)) throw invalid('subdomain', `subdomain "${label}" is reserved`);
  return label;
}

/** True when `d` is a usable base domain: RFC 1123 labels, ≥ 2 labels, ≤ 253 chars, TLD not all digits. */
export function isValidDomain(d: string): boolean {
  if (typeof d !== 'string') return false;
  const domain = d.toLowerCase();
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return !/^\d+$/.test(labels.at(-1) ?? '');
}

/** Validates a base domain and returns it lowercased (one trailing dot is accepted and dropped). */
export function parseDomain(d: string, field = 'baseDomain'): string {
  const domain = typeof d === 'string' ? d.toLowerCase().replace(/\.$/, '') : '';
  if (!isValidDomain(domain)) {
    throw invalid(field, `${JSON.stringify(String(d)).slice(0, 300)} is not a valid domain name`);
  }
  return domain;
}

/** The public hostname for a subdomain: `hostnameFor('app', 'example.com')` → `app.example.com`. */
export function hostnameFor(sub: string, baseDomain: string): string {
  const hostname = `${parseSubdomain(sub)}.${parseDomain(baseDomain)}`;
  if (hostname.length > 253) throw invalid('subdomain', 'hostname would be longer than 253 characters');
  return hostname;
}

/** True when `hostname` is `base` itself or a name below it (case-insensitive, trailing dots ignored). */
export function isInsideDomain(hostname: string, base: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/\.$/, '');
  return b !== '' && (h === b || h.endsWith(`.${b}`));
}
