import { RE2JS } from 're2js';
import type { IngressRule } from './ingress-document.js';
import { ruleFormat } from './ingress-document.js';
import { hasPort, serviceProblem } from './ingress-service.js';
import type { ConfigFormat } from './origin-request.js';
import { accessProblem, decodeOriginRequest } from './origin-request.js';

/** One problem found in an ingress list; `index` is 0-based (null for list-level problems). */
export interface IngressProblem {
  index: number | null;
  field: 'ingress' | 'hostname' | 'path' | 'service' | 'originRequest';
  message: string;
}

/** How to read the rules: where they came from, and the top-level `originRequest` defaults. */
export interface ValidateOptions {
  /**
   * Top-level `originRequest` applied to every rule. Overrides the `defaults` that
   * `parseIngressConfig` attaches to each rule; give it for rules built from a remote (JSON) config.
   */
  originRequest?: unknown;
  /**
   * How `originRequest` values decode: `yaml` (config.yml, yaml.v3), `json` (remote
   * configurations, encoding/json) or `any`. By default, `yaml` for rules `parseIngressConfig`
   * read and `any` for rules built otherwise.
   */
  format?: ConfigFormat;
}

const NO_RULES = "The config file doesn't contain any ingress rules";
const LAST_NOT_CATCH_ALL =
  'The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)';
const BAD_WILDCARD =
  'Hostname patterns can have at most one wildcard character ("*") and it can only be used for subdomains, e.g. "*.example.com"';
const HOSTNAME_PORT = 'Hostname cannot contain a port';

/** True for a catch-all rule: hostname empty or `*`, and no path (an empty path is no path). */
export function isCatchAll(rule: Pick<IngressRule, 'hostname' | 'path'>): boolean {
  return (rule.hostname === null || rule.hostname === '' || rule.hostname === '*') && !rule.path;
}

/** A compiled `path`: Go RE2 semantics (re2js), matched unanchored like `regexp.MatchString`. */
export interface PathRegex {
  readonly source: string;
  /** True when the pattern matches somewhere in `path` (text, or the path's raw bytes). */
  test(path: string | Uint8Array): boolean;
}

const compiled = new Map<string, PathRegex | { error: string }>();

/**
 * Compiles a cloudflared `path` as Go's `regexp.Compile` does: anything RE2 refuses (look-around,
 * back-references, `\Z`, `a**`, repeat counts over 1000 …) is an error with Go's message, and
 * anything RE2 accepts (`(?P<n>…)`, `(?i)` mid-pattern, `\Q…\E`, `[[:alpha:]]`, `(?U)`, `\pL` …) works.
 */
export function compilePathRegex(source: string): PathRegex | { error: string } {
  const hit = compiled.get(source);
  if (hit) return hit;
  let result: PathRegex | { error: string };
  try {
    const re = RE2JS.compile(source);
    result = { source, test: (path) => re.test(path) };
  } catch (e) {
    result = { error: e instanceof Error ? e.message : String(e) };
  }
  if (compiled.size > 500) compiled.clear();
  compiled.set(source, result);
  return result;
}

/** True when `compilePathRegex` accepted the pattern. */
export const isPathRegex = (re: PathRegex | { error: string }): re is PathRegex => !('error' in re);

/** The decoding errors yaml.v3 / encoding/json would stop at, for one `originRequest`. */
const decodeErrors = (raw: unknown, path: string, format: ConfigFormat): string[] =>
  decodeOriginRequest(raw, path, format).errors;

function ruleProblem(
  rule: IngressRule,
  i: number,
  total: number,
  defaults: unknown,
  format: ConfigFormat,
): IngressProblem | null {
  const service = serviceProblem(rule.service, rule.originRequest, defaults, format);
  if (service) return { index: i, field: 'service', message: service };
  const access = accessProblem(
    decodeOriginRequest(rule.originRequest, 'originRequest', format).settings.access,
  );
  if (access) return { index: i, field: 'originRequest', message: access };
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
    if ('error' in re) {
      return { index: i, field: 'path', message: `Rule #${i + 1} has an invalid regex: ${re.error}` };
    }
  }
  return null;
}

/**
 * Every rule's first problem, checked like cloudflared loads a config: first the decoding of each
 * `originRequest` (a value yaml.v3 cannot put in its Go field stops the whole file), then
 * `validateIngress`'s order per rule — service, `access`, hostname, path. cloudflared stops at the
 * first problem, so `[0]` is the error it would print.
 */
export function ingressProblems(
  rules: readonly IngressRule[],
  options: ValidateOptions = {},
): IngressProblem[] {
  const formatOf = (rule: IngressRule | undefined): ConfigFormat =>
    options.format ?? (rule ? ruleFormat(rule) : 'any');
  const problems: IngressProblem[] = [];
  const withDefaults = rules.find((r) => r.defaults !== undefined);
  const topLevel = options.originRequest ?? withDefaults?.defaults;
  const topFormat = options.originRequest !== undefined ? (options.format ?? 'any') : formatOf(withDefaults);
  for (const message of decodeErrors(topLevel, 'originRequest', topFormat)) {
    problems.push({ index: null, field: 'originRequest', message });
  }
  const undecodable = new Set<number>();
  rules.forEach((rule, i) => {
    const [message] = decodeErrors(rule.originRequest, `ingress[${i}].originRequest`, formatOf(rule));
    if (message !== undefined) {
      undecodable.add(i);
      problems.push({ index: i, field: 'originRequest', message });
    }
  });
  if (rules.length === 0) problems.push({ index: null, field: 'ingress', message: NO_RULES });
  rules.forEach((rule, i) => {
    if (undecodable.has(i)) return;
    const defaults = options.originRequest ?? rule.defaults;
    const p = ruleProblem(rule, i, rules.length, defaults, formatOf(rule));
    if (p) problems.push(p);
  });
  return problems;
}

/** cloudflared's messages for an ingress list; empty when cloudflared would accept it. */
export function validateIngress(rules: readonly IngressRule[], options: ValidateOptions = {}): string[] {
  return ingressProblems(rules, options).map((p) => p.message);
}
