import type { Document, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { ErrorDetail } from '../errors.js';
import { validationError } from '../errors.js';

/** One cloudflared ingress rule as read from `config.yml`; `null` means the key is absent or empty. */
export interface IngressRule {
  hostname: string | null;
  path: string | null;
  service: string;
  /** The rule's own `originRequest`, as the YAML (or JSON) has it. */
  originRequest?: unknown;
  /**
   * The top-level `originRequest` in force for this rule (cloudflared's defaults for every rule);
   * set by `parseIngressConfig` only when the file has one, so `validateIngress(rules)` applies it.
   */
  defaults?: unknown;
}

/** A parsed `config.yml`: the YAML document (comments and layout intact) and its rules in file order. */
export interface IngressConfig {
  doc: Document.Parsed;
  rules: IngressRule[];
  /** The top-level `originRequest` (defaults for every rule), when the file has one. */
  originRequest?: unknown;
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

/** Rules read from config.yml text: their `originRequest` values are decoded as yaml.v3 does. */
const YAML_RULES = new WeakSet<IngressRule>();

/**
 * How a rule's `originRequest` values are decoded: `yaml` for rules `parseIngressConfig` read,
 * `any` for rules built elsewhere (e.g. from a remote JSON configuration).
 */
export const ruleFormat = (rule: IngressRule): 'yaml' | 'any' => (YAML_RULES.has(rule) ? 'yaml' : 'any');

const fail = (message: string, details: ErrorDetail[]): never => {
  throw validationError(message, details);
};

const resolve = (doc: Document.Parsed, node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

/**
 * Reads one string field of a rule as yaml.v3 fills a Go string: any scalar gives its text as
 * written (`0x10` stays `0x10`, `1.10` stays `1.10`), and a YAML null gives nothing.
 */
function readField(doc: Document.Parsed, item: YAMLMap, key: string, index: number): string | null {
  const node = resolve(doc, item.get(key, true));
  if (node === undefined || node === null) return null;
  if (!isScalar(node)) {
    return fail(`Rule #${index + 1}: ${key} must be a string`, [
      { path: `ingress[${index}].${key}`, message: 'must be a string' },
    ]);
  }
  if (node.value === null || node.value === undefined) return null;
  return typeof node.source === 'string' ? node.source : String(node.value);
}

/** A mapping's value as plain data (aliases resolved), or undefined when the key is absent. */
function readValue(doc: Document.Parsed, map: YAMLMap, key: string): unknown {
  const node = resolve(doc, map.get(key, true));
  if (node === undefined) return undefined;
  return isScalar(node) || isMap(node) || isSeq(node) ? node.toJS(doc) : node;
}

function readRule(doc: Document.Parsed, item: unknown, index: number): IngressRule {
  if (!isMap(item)) {
    return fail(`Rule #${index + 1} must be a mapping`, [
      { path: `ingress[${index}]`, message: 'must be a mapping with hostname/path/service' },
    ]);
  }
  const [hostname, path, service] = RULE_FIELDS.map((k) => readField(doc, item, k, index));
  const rule: IngressRule = { hostname: hostname ?? null, path: path ?? null, service: service ?? '' };
  const origin = readValue(doc, item, 'originRequest');
  if (origin !== undefined && origin !== null) rule.originRequest = origin;
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
  for (const rule of rules) YAML_RULES.add(rule);
  const defaults = root ? readValue(doc, root, 'originRequest') : undefined;
  const source: IngressSource = { text, doc, rules, root, pair, seq, items: rawItems as YAMLMap[] };
  if (defaults !== undefined && defaults !== null) {
    source.originRequest = defaults;
    for (const rule of rules) rule.defaults = defaults;
  }
  return source;
}

/**
 * Parses `config.yml` text into its document and ingress rules (no `ingress` key ⇒ no rules). A
 * top-level `originRequest` is returned too, and attached to every rule as its `defaults`.
 */
export function parseIngressConfig(text: string): IngressConfig {
  const { doc, rules, originRequest } = readIngressSource(text);
  return originRequest === undefined ? { doc, rules } : { doc, rules, originRequest };
}
