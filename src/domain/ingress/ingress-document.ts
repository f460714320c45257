import type { Document, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { ErrorDetail } from '../errors.js';
import { validationError } from '../errors.js';

/** One cloudflared ingress rule as read from `config.yml`; `null` means the key is absent or empty. */
export interface IngressRule {
  hostname: string | null;
  path: string | null;
  service: string;
  originRequest?: unknown;
}

/** A parsed `config.yml`: the YAML document (comments and layout intact) and its rules in file order. */
export interface IngressConfig {
  doc: Document.Parsed;
  rules: IngressRule[];
}

/** A parsed config plus the nodes a textual edit needs (used by the merge, not exported from the index). */
export interface IngressSource extends IngressConfig {
  text: string;
  /** Top-level mapping, or null for an empty document. */
  root: YAMLMap | null;
  /** The `ingress` pair, or null when the key is absent. */
  pair: Pair | null;
  /** The rule sequence, or null when `ingress` is absent or empty (`ingress:` / `ingress: []`). */
  seq: YAMLSeq | null;
  /** The rule mappings, in file order (same length as `rules`). */
  items: YAMLMap[];
}

const RULE_FIELDS = ['hostname', 'path', 'service'] as const;

const fail = (message: string, details: ErrorDetail[]): never => {
  throw validationError(message, details);
};

/** Reads one string field of a rule; scalars are stringified like cloudflared's YAML decoder does. */
function readField(doc: Document.Parsed, item: YAMLMap, key: string, index: number): string | null {
  let node = item.get(key, true) as unknown;
  if (isAlias(node)) node = node.resolve(doc);
  if (node === undefined || node === null) return null;
  if (!isScalar(node)) {
    return fail(`Rule #${index + 1}: ${key} must be a string`, [
      { path: `ingress[${index}].${key}`, message: 'must be a string' },
    ]);
  }
  return node.value === null || node.value === undefined ? null : String(node.value);
}

function readRule(doc: Document.Parsed, item: unknown, index: number): IngressRule {
  if (!isMap(item)) {
    return fail(`Rule #${index + 1} must be a mapping`, [
      { path: `ingress[${index}]`, message: 'must be a mapping with hostname/path/service' },
    ]);
  }
  const [hostname, path, service] = RULE_FIELDS.map((k) => readField(doc, item, k, index));
  const rule: IngressRule = { hostname: hostname ?? null, path: path ?? null, service: service ?? '' };
  const origin = item.get('originRequest', true) as unknown;
  if (origin !== undefined && origin !== null) {
    rule.originRequest = isScalar(origin) || isMap(origin) || isSeq(origin) ? origin.toJS(doc) : origin;
  }
  return rule;
}

/** Parses `config.yml` text and locates its ingress list; YAML problems become validation errors. */
export function readIngressSource(text: string): IngressSource {
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    fail(
      'config.yml is not valid YAML',
      doc.errors.map((e) => ({ path: 'config', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  const contents = doc.contents;
  if (contents !== null && !isMap(contents)) {
    fail('config.yml must be a mapping at the top level', [{ path: 'config', message: 'must be a mapping' }]);
  }
  const root = contents as YAMLMap | null;
  const pair = root?.items.find((p) => isScalar(p.key) && p.key.value === 'ingress') ?? null;
  const value = pair?.value ?? null;
  let seq: YAMLSeq | null = null;
  if (isSeq(value)) {
    seq = value.items.length > 0 ? value : null;
  } else if (value !== null && !(isScalar(value) && value.value === null)) {
    fail('ingress must be a list of rules', [{ path: 'ingress', message: 'must be a list' }]);
  }
  const rawItems = seq?.items ?? [];
  const rules = rawItems.map((item, i) => readRule(doc, item, i));
  return { text, doc, rules, root, pair, seq, items: rawItems as YAMLMap[] };
}

/** Parses `config.yml` text into its document and ingress rules (no `ingress` key ⇒ no rules). */
export function parseIngressConfig(text: string): IngressConfig {
  const { doc, rules } = readIngressSource(text);
  return { doc, rules };
}
