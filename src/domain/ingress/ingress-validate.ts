import type { IngressRule } from './ingress-document.js';
import { hasPort, serviceProblem } from './ingress-service.js';

/** One problem found in an ingress list; `index` is 0-based (null for list-level problems). */
export interface IngressProblem {
  index: number | null;
  field: 'ingress' | 'hostname' | 'path' | 'service';
  message: string;
}

const NO_RULES = "The config file doesn't contain any ingress rules";
const LAST_NOT_CATCH_ALL =
  'The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)';
const BAD_WILDCARD =
  'Hostname patterns can have at most one wildcard character ("*") and it can only be used for subdomains, e.g. "*.example.com"';
const HOSTNAME_PORT = 'Hostname cannot contain a port';

/** True for a catch-all rule: hostname empty or `*`, and no path. */
export function isCatchAll(rule: Pick<IngressRule, 'hostname' | 'path'>): boolean {
  return (rule.hostname === null || rule.hostname === '' || rule.hostname === '*') && !rule.path;
}

/**
 * Compiles a cloudflared `path` (Go RE2) as a JS RegExp. Approximation: a leading `(?flags)` group
 * becomes JS flags, `(?P<name>` becomes `(?<name>`, and constructs RE2 rejects (look-around,
 * back-references) are refused; other syntax differences between RE2 and JS are not modelled.
 */
export function compilePathRegex(source: string): RegExp | { error: string } {
  let body = source;
  let flags = '';
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    flags = [...new Set((inline[1] ?? '').replace('U', '').split(''))].join('');
    body = body.slice(inline[0].length);
  }
  if (/\(\?<?[=!]/.test(body)) return { error: 'invalid or unsupported Perl syntax' };
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(body)) return { error: 'invalid escape sequence' };
  try {
    return new RegExp(body.replaceAll('(?P<', '(?<'), flags);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function ruleProblem(rule: IngressRule, i: number, total: number): IngressProblem | null {
  const service = serviceProblem(rule.service, rule.originRequest);
  if (service) return { index: i, field: 'service', message: service };
  const hostname = rule.hostname ?? '';
  if (hasPort(hostname)) return { index: i, field: 'hostname', message: HOSTNAME_PORT };
  if (hostname.lastIndexOf('*') > 0) return { index: i, field: 'hostname', message: BAD_WILDCARD };
  const catchAll = isCatchAll(rule);
  const last = i === total - 1;
  if (last && !catchAll) return { index: i, field: 'hostname', message: LAST_NOT_CATCH_ALL };
  if (!last && catchAll) {
    const message = `Rule #${i + 1} is matching the hostname '${hostname}', but this will match every hostname, meaning the rules which follow it will never be triggered.`;
    return { index: i, field: 'hostname', message };
  }
  if (rule.path) {
    const re = compilePathRegex(rule.path);
    if (!(re instanceof RegExp)) {
      return { index: i, field: 'path', message: `Rule #${i + 1} has an invalid regex: ${re.error}` };
    }
  }
  return null;
}

/**
 * Every rule's first problem, checked like cloudflared's `validateIngress` (service, then hostname,
 * then path). cloudflared stops at the first problem, so `[0]` is the error it would print.
 */
export function ingressProblems(rules: readonly IngressRule[]): IngressProblem[] {
  if (rules.length === 0) return [{ index: null, field: 'ingress', message: NO_RULES }];
  const problems: IngressProblem[] = [];
  rules.forEach((rule, i) => {
    const p = ruleProblem(rule, i, rules.length);
    if (p) problems.push(p);
  });
  return problems;
}

/** cloudflared's validation messages for an ingress list; empty when cloudflared would accept it. */
export function validateIngress(rules: readonly IngressRule[]): string[] {
  return ingressProblems(rules).map((p) => p.message);
}
