import type { YAMLMap } from 'yaml';
import type { ErrorDetail } from '../errors.js';
import { validationError } from '../errors.js';
import type { IngressRule, IngressSource } from './ingress-document.js';
import { matchHost } from './ingress-match.js';
import { serviceProblem } from './ingress-service.js';
import type { TextEdit } from './ingress-text.js';
import { columnOf, lineEnd } from './ingress-text.js';

/** A hostname the panel may publish: lowercase RFC 1123 labels, at least two, no wildcard, ≤ 253. */
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Validates the desired routes (hostname syntax, service form, no duplicates); returns them lowercased. */
export function checkDesired(
  desired: readonly { hostname: string; service: string }[],
): { hostname: string; service: string }[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const out = desired.map((d, i) => {
    const hostname = String(d.hostname).toLowerCase();
    const service = String(d.service);
    if (!HOSTNAME.test(hostname)) {
      details.push({ path: `desired[${i}].hostname`, message: `${d.hostname} is not a valid hostname` });
    } else if (seen.has(hostname)) {
      details.push({ path: `desired[${i}].hostname`, message: `${hostname} is listed more than once` });
    }
    seen.add(hostname);
    const problem = service === '' ? 'service is empty' : serviceProblem(service);
    if (problem) details.push({ path: `desired[${i}].service`, message: problem });
    return { hostname, service };
  });
  if (details.length > 0) throw validationError('invalid routes for the tunnel', details);
  return out;
}

/**
 * Where a new panel rule goes: before the first foreign `*.suffix` rule that would otherwise shadow
 * it (so an explicit hostname wins over a wildcard, as the operator expects), else at `fallback`
 * (the catch-all's index, or the end of the list).
 */
export function insertionIndex(
  rules: readonly IngressRule[],
  managed: readonly boolean[],
  hostname: string,
  fallback: number,
): number {
  for (let j = 0; j < fallback; j++) {
    const rule = rules[j];
    if (rule && !managed[j] && rule.hostname?.startsWith('*.') && matchHost(rule.hostname, hostname))
      return j;
  }
  return fallback;
}

/** True when a rule already is exactly the panel's `{hostname, service}` mapping for `want`. */
export function isCanonical(item: YAMLMap, want: { hostname: string; service: string }): boolean {
  return (
    !item.flow &&
    item.items.length === 2 &&
    item.get('hostname') === want.hostname &&
    item.get('service') === want.service
  );
}

/** The validation error for a config.yml the merge cannot edit safely. */
export const cannotEdit = (why: string) =>
  validationError(`cannot edit the ingress list of config.yml: ${why}`, [{ path: 'ingress', message: why }]);

type Range = { range?: [number, number, number] | null } | null | undefined;

/** Edits for a config without a usable `ingress` list: a fresh block after the key, or a new key at the end. */
export function freshIngress(src: IngressSource, body: (column: number) => string, eol: string): TextEdit[] {
  const { text, root, pair } = src;
  const keyRange = (pair?.key as Range)?.range;
  if (!pair || !keyRange) {
    if (root?.flow) throw cannotEdit('the top-level mapping is written in flow style');
    const first = (root?.items[0]?.key as Range)?.range?.[0];
    const column = first === undefined ? 0 : columnOf(text, first);
    const sep = text === '' || text.endsWith('\n') ? '' : eol;
    return [
      {
        start: text.length,
        end: text.length,
        text: `${sep}${' '.repeat(column)}ingress:${eol}${body(column + 2)}`,
      },
    ];
  }
  const edits: TextEdit[] = [];
  let after = keyRange[1];
  const valueRange = (pair.value as Range)?.range;
  if (valueRange && valueRange[1] > valueRange[0]) {
    let from = valueRange[0];
    while (from > 0 && text[from - 1] === ' ') from--;
    edits.push({ start: from, end: valueRange[1], text: '' });
    after = valueRange[1];
  }
  const at = lineEnd(text, after);
  const sep = at === text.length && !text.endsWith('\n') ? eol : '';
  edits.push({ start: at, end: at, text: sep + body(columnOf(text, keyRange[0]) + 2) });
  return edits;
}
