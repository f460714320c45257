import { goHostname, parseGoUrl, splitHostPort } from './go-net.js';
import { idnaLookupToAscii } from './idna.js';
import type { IngressRule } from './ingress-document.js';
import { compilePathRegex } from './ingress-validate.js';

/** The rule a request would be routed to: its 0-based index (what `cloudflared tunnel ingress rule` prints). */
export interface RuleMatch {
  index: number;
  rule: IngressRule;
}

/** cloudflared's `matchHost`: exact equality, or for `*.suffix` a suffix test on `.suffix`. */
function matchPattern(ruleHost: string, host: string): boolean {
  if (ruleHost === host) return true;
  return ruleHost.startsWith('*.') && host.endsWith(ruleHost.slice(1));
}

const punycodeCache = new Map<string, string | null>();

/**
 * The punycode twin cloudflared gives a rule hostname (`idna.Lookup.ToASCII`, kept only when it
 * differs): `môô.example.com` → `xn--m-xgaa.example.com`, and, since the mapping lowercases,
 * `App.Example.com` → `app.example.com`. Null when there is none (ASCII lowercase already, or an
 * IDNA error such as the `*` of a wildcard).
 */
export function punycodeHostname(ruleHost: string): string | null {
  let twin = punycodeCache.get(ruleHost);
  if (twin === undefined) {
    const ascii = idnaLookupToAscii(ruleHost);
    twin = ascii !== null && ascii !== ruleHost ? ascii : null;
    if (punycodeCache.size > 1000) punycodeCache.clear();
    punycodeCache.set(ruleHost, twin);
  }
  return twin;
}

/**
 * The hostname half of cloudflared's `Rule.Matches`: an empty or `*` rule matches every host;
 * otherwise `matchHost` on the rule's hostname or on its punycode twin. `*.example.com` matches
 * `a.example.com` and `a.b.example.com`, not `example.com`. Comparison is case-sensitive, exactly as
 * cloudflared's string compare: `a.example.com` does not match a request for `A.EXAMPLE.COM`, while
 * a rule `App.Example.com` matches `app.example.com` through its (lowercased) punycode twin.
 */
export function matchHost(ruleHost: string | null, requestHost: string): boolean {
  if (ruleHost === null || ruleHost === '' || ruleHost === '*') return true;
  if (matchPattern(ruleHost, requestHost)) return true;
  const twin = punycodeHostname(ruleHost);
  return twin !== null && matchPattern(twin, requestHost);
}

/** Host and path the way `cloudflared tunnel ingress rule <URL>` hands them to `FindMatchingRule`. */
function requestTarget(url: string): { host: string; path: Uint8Array } | null {
  if (url === '') return null;
  let parsed = parseGoUrl(url);
  // Where cloudflared would refuse the URL for having neither scheme nor host, a bare
  // `host/path` is read as `https://host/path` (a convenience; cloudflared itself asks for a scheme).
  if ('error' in parsed ? !url.includes('://') : parsed.scheme === '' && goHostname(parsed) === '') {
    parsed = parseGoUrl(`https://${url}`);
  }
  if ('error' in parsed) return null;
  let host = goHostname(parsed);
  const split = splitHostPort(host);
  if (!('error' in split)) host = split.host;
  return { host, path: parsed.pathBytes };
}

/**
 * First rule that matches `url` (cloudflared's `FindMatchingRule`): the host without its port,
 * matched as `matchHost` does; the path regex (RE2, unanchored) against the decoded path only — no
 * query, and an empty path for `https://host` with nothing after it, as Go's `URL.Path` has it.
 * Returns null when no rule matches (cloudflared would fall back to the last rule) or the URL does
 * not parse. Rules whose path regex does not compile never match.
 */
export function matchRule(rules: readonly IngressRule[], url: string): RuleMatch | null {
  const target = requestTarget(url);
  if (!target) return null;
  for (const [index, rule] of rules.entries()) {
    if (!matchHost(rule.hostname, target.host)) continue;
    if (rule.path) {
      const re = compilePathRegex(rule.path);
      if ('error' in re || !re.test(target.path)) continue;
    }
    return { index, rule };
  }
  return null;
}
