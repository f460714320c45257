import type { IngressRule } from './ingress-document.js';
import { hasPort } from './ingress-service.js';
import { compilePathRegex } from './ingress-validate.js';

/** The rule a request would be routed to: its 0-based index (what `cloudflared tunnel ingress rule` prints). */
export interface RuleMatch {
  index: number;
  rule: IngressRule;
}

/**
 * cloudflared's `matchHost`: exact equality, or for `*.suffix` a suffix test on `.suffix`
 * (`*.example.com` matches `a.example.com` and `a.b.example.com`, not `example.com`). Compared
 * case-insensitively, as recent cloudflared does (hostnames are case-insensitive, RFC 4343).
 */
export function matchHost(ruleHost: string | null, requestHost: string): boolean {
  if (ruleHost === null || ruleHost === '' || ruleHost === '*') return true;
  const rule = ruleHost.toLowerCase();
  const host = requestHost.toLowerCase();
  if (rule === host) return true;
  return rule.startsWith('*.') && host.endsWith(rule.slice(1));
}

function stripPort(host: string): string {
  if (!hasPort(host)) return host;
  const withoutPort = host.slice(0, host.lastIndexOf(':'));
  return withoutPort.startsWith('[') ? withoutPort.slice(1, -1) : withoutPort;
}

/** Splits `https://host:port/path?q` (or `host/path`) into host (port stripped) and path; null if unusable. */
function splitUrl(url: string): { host: string; path: string } | null {
  const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/?#]*)([^?#]*)/.exec(url) ?? /^([^/?#]+)([^?#]*)/.exec(url);
  if (!m) return null;
  const authority = m[1] ?? '';
  const host = stripPort(authority.slice(authority.lastIndexOf('@') + 1));
  return host === '' ? null : { host, path: decodePath(m[2] || '/') };
}

/** Go matches the decoded path (`URL.Path`); an invalid escape is matched as written. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * First rule that matches `url` (cloudflared's `FindMatchingRule`): port stripped from the host,
 * path regex unanchored against the path only (no query). Returns null when no rule matches
 * (cloudflared would fall back to the last rule) or the URL has no host. Rules whose path regex
 * does not compile never match.
 */
export function matchRule(rules: readonly IngressRule[], url: string): RuleMatch | null {
  const target = splitUrl(url);
  if (!target) return null;
  for (const [index, rule] of rules.entries()) {
    if (!matchHost(rule.hostname, target.host)) continue;
    if (rule.path) {
      const re = compilePathRegex(rule.path);
      if (!(re instanceof RegExp) || !re.test(target.path)) continue;
    }
    return { index, rule };
  }
  return null;
}
