import type { YAMLMap } from 'yaml';
import { conflict, validationError } from '../errors.js';
import { readIngressSource } from './ingress-document.js';
import type { ItemSpan, TextEdit } from './ingress-text.js';
import { applyEdits, eolOf, itemSpans, renderCatchAll, renderRule } from './ingress-text.js';
import { isCatchAll } from './ingress-validate.js';
import { cannotEdit, checkDesired, freshIngress, insertionIndex, isCanonical } from './merge-rules.js';

/** A route the panel wants in the tunnel: `hostname` → `service` (e.g. `http://localhost:8100`). */
export interface ManagedRoute {
  hostname: string;
  service: string;
}

/** What the panel owns and what it wants. */
export interface MergeInput {
  /** Hostnames the panel owns now or owned before (its `routes` table); compared case-insensitively. */
  managedHostnames: ReadonlySet<string>;
  /** The complete set of routes the panel wants published. */
  desired: readonly ManagedRoute[];
}

/** Result of a merge; `text` is the input itself when `changed` is false. */
export interface MergeResult {
  text: string;
  changed: boolean;
}

/**
 * Upserts and removes only the panel's own rules in a cloudflared `config.yml`, editing the text
 * line by line so every other byte (foreign rules, keys, comments, layout) stays identical.
 *
 * - A rule is the panel's when its hostname is in `managedHostnames`; every other rule is foreign
 *   and is never moved or rewritten. A desired hostname used by a foreign rule is a CONFLICT, so
 *   callers list a hostname in `managedHostnames` once they own it (before the first merge).
 * - Kept rules stay in place (rewritten only when not already `{hostname, service}` as desired);
 *   duplicates and no-longer-desired ones are removed; new ones go just before the catch-all, or
 *   before the first foreign `*.suffix` rule that would shadow them. A missing catch-all is added
 *   (`http_status:404`); a catch-all that is not last is refused (fixing it would move foreign rules).
 * - Foreign rules are not validated here: run `validateIngress` on the result before writing it.
 */
export function mergeManagedRoutes(text: string, input: MergeInput): MergeResult {
  const desired = checkDesired(input.desired);
  const src = readIngressSource(text);
  const { rules } = src;
  const owned = new Set([...input.managedHostnames].map((h) => h.toLowerCase()));
  const wanted = new Map(desired.map((d) => [d.hostname, d]));
  const eol = eolOf(text);
  const managed = rules.map((r) => r.hostname !== null && owned.has(r.hostname.toLowerCase()));
  for (const [i, rule] of rules.entries()) {
    const host = rule.hostname?.toLowerCase();
    if (!managed[i] && host !== undefined && wanted.has(host)) {
      throw conflict(
        `${host} is already used by rule #${i + 1} in config.yml, which the panel does not manage`,
      );
    }
  }
  const render = (column: number, list: readonly ManagedRoute[]) =>
    list.map((d) => renderRule(column, d.hostname, d.service, eol)).join('');
  if (!src.seq) {
    const edits =
      desired.length === 0 ? [] : freshIngress(src, (c) => render(c, desired) + renderCatchAll(c, eol), eol);
    return finish(text, edits);
  }
  const spans = itemSpans(text, src.seq);
  if (!spans) throw cannotEdit('the list must be a block sequence (one "- " item per rule)');
  const catchAll = rules.findIndex((r) => isCatchAll(r));
  if (catchAll !== -1 && catchAll !== rules.length - 1) {
    throw cannotEdit(`rule #${catchAll + 1} matches every hostname but is not the last rule`);
  }
  const edits: TextEdit[] = [];
  const seen = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    if (!managed[i]) continue;
    const span = spans[i] as ItemSpan;
    const host = (rule.hostname ?? '').toLowerCase();
    const want = wanted.get(host);
    if (!want || seen.has(host)) {
      edits.push({ start: span.start, end: span.end, text: '' });
    } else {
      seen.add(host);
      if (!isCanonical(src.items[i] as YAMLMap, want)) {
        edits.push({ start: span.start, end: span.end, text: render(span.column, [want]) });
      }
    }
  }
  const end = catchAll === -1 ? rules.length : catchAll;
  const column = (spans[0] as ItemSpan).column;
  const inserts = new Map<number, string>();
  const insertAt = (index: number, insert: string) => {
    const prev = spans[index - 1];
    const pos = prev ? prev.end : (spans[index] as ItemSpan).start;
    inserts.set(pos, (inserts.get(pos) ?? '') + insert);
  };
  for (const d of desired) {
    if (!seen.has(d.hostname)) insertAt(insertionIndex(rules, managed, d.hostname, end), render(column, [d]));
  }
  if (catchAll === -1) insertAt(rules.length, renderCatchAll(column, eol));
  for (const [pos, insert] of inserts) {
    const sep = pos === text.length && !text.endsWith('\n') ? eol : '';
    edits.push({ start: pos, end: pos, text: sep + insert });
  }
  return finish(text, edits);
}

/** Applies the edits; a result that no longer parses is refused rather than written. */
function finish(text: string, edits: readonly TextEdit[]): MergeResult {
  const out = applyEdits(text, edits);
  if (out === text) return { text, changed: false };
  try {
    readIngressSource(out);
  } catch (cause) {
    throw validationError('cannot edit the ingress list of config.yml: the edit would break the YAML', [
      { path: 'ingress', message: cause instanceof Error ? cause.message : String(cause) },
    ]);
  }
  return { text: out, changed: true };
}
