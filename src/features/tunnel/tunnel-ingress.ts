import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { RouteRow } from '../../db/schema.js';
import { AppError, conflict, validationError } from '../../domain/errors.js';
import {
  type IngressRule,
  mergeManagedRoutes,
  parseIngressConfig,
  validateIngress,
} from '../../domain/ingress/index.js';

/** Rows whose rules the panel has written (or is removing): the rules it may touch. */
export const managedHostnames = (rows: readonly RouteRow[]): Set<string> =>
  new Set(rows.filter((r) => r.ingress_state !== 'pending').map((r) => r.hostname));

/** Rows that should be in the tunnel now. */
export const desiredRoutes = (rows: readonly RouteRow[]) =>
  rows
    .filter((r) => r.ingress_state === 'applied')
    .map((r) => ({ hostname: r.hostname, service: r.service }));

/** Refuses to publish `hostname` over a rule the panel does not own (a hand-written one). */
export function assertNotForeign(rules: readonly IngressRule[], hostname: string, owned: boolean): void {
  if (owned) return;
  const index = rules.findIndex((r) => r.hostname?.toLowerCase() === hostname);
  if (index !== -1) {
    throw conflict(
      `${hostname} is already routed by rule #${index + 1} of the tunnel config, which the panel does not manage; ` +
        'remove that rule or pick another subdomain',
    );
  }
}

/** Throws a validation error listing cloudflared's messages when `rules` would not load. */
export function assertValid(rules: readonly IngressRule[], where: string): void {
  const errors = validateIngress(rules);
  if (errors.length > 0) {
    throw validationError(
      `the updated ${where} would be rejected by cloudflared, so nothing was written: ${errors[0]}`,
      errors.map((message) => ({ path: 'ingress', message })),
    );
  }
}

/** Merges the panel's rows into config.yml text and validates the result (never returns an invalid config). */
export function mergeConfigText(text: string, rows: readonly RouteRow[]): string {
  const merged = mergeManagedRoutes(text, {
    managedHostnames: managedHostnames(rows),
    desired: desiredRoutes(rows),
  });
  if (!merged.changed) return text;
  assertValid(parseIngressConfig(merged.text).rules, 'config.yml');
  return merged.text;
}

/** A remote (JSON) ingress entry as an `IngressRule`. */
export function ruleFromJson(r: Record<string, unknown>): IngressRule {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const rule: IngressRule = {
    hostname: str(r.hostname),
    path: str(r.path),
    service: String(r.service ?? ''),
  };
  if (r.originRequest !== undefined) rule.originRequest = r.originRequest;
  return rule;
}

/**
 * The same merge on a remote JSON ingress list: rendered as a YAML block list, merged by the domain
 * model, read back. Foreign entries come back with the same values (YAML round trip of JSON data).
 */
export function mergeJsonIngress(
  ingress: readonly Record<string, unknown>[],
  rows: readonly RouteRow[],
): { ingress: Record<string, unknown>[]; changed: boolean } {
  const text = ingress.length === 0 ? '' : stringifyYaml({ ingress }, { lineWidth: 0 });
  const merged = mergeManagedRoutes(text, {
    managedHostnames: managedHostnames(rows),
    desired: desiredRoutes(rows),
  });
  if (!merged.changed) return { ingress: [...ingress], changed: false };
  const out = (parseYaml(merged.text) as { ingress?: Record<string, unknown>[] } | null)?.ingress ?? [];
  if (!Array.isArray(out)) throw new AppError('INTERNAL', 'merged ingress is not a list');
  assertValid(out.map(ruleFromJson), 'tunnel configuration');
  return { ingress: out, changed: true };
}
