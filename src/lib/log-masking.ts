/** The text that replaces a secret in job logs, job input and errors. */
export const MASK = '***';
/** Longer lines are cut to this many characters, with a marker saying how much was cut. */
export const MAX_LINE_CHARS = 8192;
// Shorter values are not treated as secrets: masking them would shred ordinary text.
const MIN_SECRET_CHARS = 4;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Forms a secret can take in output: itself, each line of a multi-line value, URL- and JSON-escaped. */
function variantsOf(secret: string): string[] {
  const out = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
  if (secret.includes('\n')) {
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 8) out.push(line.trim());
  }
  return out.filter((v) => v.length >= MIN_SECRET_CHARS);
}

/** Replaces every known secret in text; secrets can be added at any time. */
export interface Masker {
  add(secret: string): void;
  mask(text: string): string;
  /** Deep copy of a JSON-like value with every string masked. */
  maskValue<T>(value: T): T;
}

/** A masker over the given secrets (longest first, so a secret that contains another is masked whole). */
export function createMasker(secrets: Iterable<string> = []): Masker {
  const known = new Set<string>();
  let pattern: RegExp | null = null;
  let dirty = false;

  const add = (secret: string) => {
    if (typeof secret !== 'string') return;
    for (const v of variantsOf(secret)) {
      if (!known.has(v)) {
        known.add(v);
        dirty = true;
      }
    }
  };
  for (const s of secrets) add(s);

  const mask = (text: string): string => {
    if (dirty) {
      const sorted = [...known].sort((a, b) => b.length - a.length).map(escapeRegExp);
      pattern = sorted.length > 0 ? new RegExp(sorted.join('|'), 'g') : null;
      dirty = false;
    }
    return pattern ? text.replace(pattern, MASK) : text;
  };

  const maskValue = <T>(value: T): T => {
    if (typeof value === 'string') return mask(value) as T;
    if (Array.isArray(value)) return value.map(maskValue) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = maskValue(v);
      return out as T;
    }
    return value;
  };

  return { add, mask, maskValue };
}

/** Cut a line longer than `max` characters, saying how many were dropped (`extra` counts ones already dropped). */
export function truncateLine(text: string, max = MAX_LINE_CHARS, extra = 0): string {
  if (text.length <= max && extra === 0) return text;
  const dropped = Math.max(0, text.length - max) + extra;
  return `${text.slice(0, max)} … [line truncated: ${dropped} more characters]`;
}
