import type { ErrorDetail } from '../../domain/errors.js';

/** One schema validation problem as fastify-type-provider-zod reports it (a zod issue). */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** zod's own wording ("Invalid input: expected string…", "Too big: …"); a schema's own message is kept. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized|Expected|Number must|String must)/;

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  boolean: 'must be true or false',
  object: 'must be an object',
  array: 'must be a list',
  record: 'must be an object',
  null: 'must be null',
};

const FORMAT_WORDS: Record<string, string> = {
  uuid: 'must be an id (a UUID)',
  url: 'must be a URL',
  email: 'must be an email address',
  datetime: 'must be a date and time (ISO 8601)',
  regex: 'is not in the expected form',
};

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function sizeWords(origin: unknown, n: number, bound: 'min' | 'max', inclusive: boolean): string {
  if (origin === 'string') {
    if (bound === 'min' && n <= 1) return 'must not be empty';
    return `must be ${bound === 'min' ? 'at least' : 'at most'} ${plural(n, 'character')}`;
  }
  if (origin === 'array' || origin === 'set') {
    if (bound === 'min' && n <= 1) return 'must not be empty';
    return `must have ${bound === 'min' ? 'at least' : 'at most'} ${plural(n, 'item')}`;
  }
  const limit = inclusive ? n : bound === 'min' ? `more than ${n}` : `less than ${n}`;
  if (!inclusive) return `must be ${limit}`;
  return `must be ${n} or ${bound === 'min' ? 'more' : 'less'}`;
}

/** A sentence for people for one zod issue (no zod wording). */
export function sentenceFor(issue: ValidationIssue): string {
  const p = issue.params ?? {};
  const own = issue.message && !ZOD_DEFAULT.test(issue.message) ? issue.message : null;
  switch (issue.keyword) {
    case 'invalid_type':
      if (/received undefined/.test(issue.message ?? '') || ('input' in p && p.input === undefined)) {
        return 'is required';
      }
      return own ?? TYPE_WORDS[String(p.expected)] ?? 'has the wrong type';
    case 'too_small':
      return own ?? sizeWords(p.origin, Number(p.minimum), 'min', p.inclusive !== false);
    case 'too_big':
      return own ?? sizeWords(p.origin, Number(p.maximum), 'max', p.inclusive !== false);
    case 'invalid_format':
      return own ?? FORMAT_WORDS[String(p.format)] ?? 'is not in the expected form';
    case 'invalid_value': {
      const values = Array.isArray(p.values) ? p.values.map((v) => JSON.stringify(v)) : [];
      return own ?? (values.length > 0 ? `must be one of ${values.join(', ')}` : 'is not an accepted value');
    }
    case 'invalid_union':
      return own ?? 'does not match any accepted form of this request';
    case 'not_multiple_of':
      return own ?? `must be a multiple of ${p.divisor}`;
    case 'invalid_key':
      return own ?? 'has a key that is not accepted';
    case 'invalid_element':
      return own ?? 'has an item that is not accepted';
    default:
      return own ?? 'is not valid';
  }
}

/** Field details of a schema validation failure: one plain sentence per field, on its dot path. */
export function detailsFor(issues: ValidationIssue[], context: string): ErrorDetail[] {
  return issues.flatMap((v) => {
    const base = v.instancePath.replace(/^\//, '').split('/').filter(Boolean);
    const keys = (v.params as { keys?: string[] } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && keys) {
      return keys.map((k) => ({
        path: [...base, k].join('.'),
        message: 'is not a field this request takes',
      }));
    }
    return [{ path: base.join('.') || context, message: sentenceFor(v) }];
  });
}

/** The error's headline: what to fix first, in one sentence. */
export function summaryOf(details: ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'The request is invalid.';
  const more = details.length > 1 ? ` (and ${plural(details.length - 1, 'other problem')})` : '';
  return `${first.path} ${first.message}${more}`;
}
