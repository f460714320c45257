import type { Node, YAMLSeq } from 'yaml';
import { isMap, isPair, isSeq, stringify } from 'yaml';

/** A textual edit on the original text: replace `[start, end)` with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Offset of the first character of the line containing `pos`. */
export const lineStart = (text: string, pos: number): number => text.lastIndexOf('\n', pos - 1) + 1;

/** Offset just past the newline ending the line that contains `pos` (or the end of the text). */
export function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}

/** The line ending the file already uses. */
export const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

/** End offset of a node's own content (nested block collections recurse, so trailing comments are excluded). */
function contentEnd(node: unknown): number {
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    let end = node.range?.[0] ?? 0;
    for (const item of node.items as unknown[]) {
      const parts = isPair(item) ? [item.key, item.value] : [item];
      for (const part of parts) if (part) end = Math.max(end, contentEnd(part));
    }
    return end;
  }
  return (node as Node | null)?.range?.[1] ?? 0;
}

/** Source lines of one block-sequence item: from its `-` line to the end of its last content line. */
export interface ItemSpan {
  start: number;
  end: number;
  /** Column of the `-` indicator. */
  column: number;
}

/** Spans of a block sequence's items, or null when the layout is not one the panel can edit line by line. */
export function itemSpans(text: string, seq: YAMLSeq): ItemSpan[] | null {
  const token = seq.srcToken;
  if (token?.type !== 'block-seq' || token.items.length !== seq.items.length) return null;
  const spans: ItemSpan[] = [];
  for (const [i, item] of token.items.entries()) {
    const dash = item.start.find((t) => t.type === 'seq-item-ind');
    if (!dash) return null;
    const start = lineStart(text, dash.offset);
    if (text.slice(start, dash.offset).trim() !== '') return null;
    let end = contentEnd(seq.items[i]);
    while (end > dash.offset && /\s/.test(text[end - 1] ?? '')) end--;
    spans.push({ start, end: lineEnd(text, Math.max(end - 1, dash.offset)), column: dash.offset - start });
  }
  return spans;
}

/** A string as a YAML scalar (plain when safe, quoted otherwise), on one line. */
const scalar = (value: string): string => stringify(value, { lineWidth: 0 }).trimEnd();

/** A panel-owned rule as block-sequence text at `column`. */
export function renderRule(column: number, hostname: string, service: string, eol: string): string {
  const pad = ' '.repeat(column);
  return `${pad}- hostname: ${scalar(hostname)}${eol}${pad}  service: ${scalar(service)}${eol}`;
}

/** The catch-all the panel adds when a config has none. */
export const renderCatchAll = (column: number, eol: string): string =>
  `${' '.repeat(column)}- service: http_status:404${eol}`;

/** Applies non-overlapping edits (insertions at one offset keep their order) to `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order);
  let out = '';
  let cursor = 0;
  for (const { edit } of sorted) {
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = Math.max(cursor, edit.end);
  }
  return out + text.slice(cursor);
}

/** Column (0-based) of offset `pos` within its line. */
export const columnOf = (text: string, pos: number): number => pos - lineStart(text, pos);
