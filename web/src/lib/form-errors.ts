import { ApiError, type ErrorDetail } from '../api/client.js';

/** Field messages keyed by form field name, plus the problems no field on the form can show. */
export interface SplitErrors {
  fields: Record<string, string>;
  general: string[];
  /** Per field, the project that holds what it asked for (a 409 naming the holder), to link to it. */
  holders: Record<string, string>;
}

/** Normalise an API detail path to a form field name: `body.x` / `/x/y` / `x[0]` → `x` / `x.y` / `x.0`. */
export function normalisePath(path: string): string {
  return path
    .replace(/^\/+/, '')
    .replace(/\//g, '.')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^body\./, '');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  boolean: 'must be on or off',
  array: 'must be a list',
  object: 'must be a group of values',
};

// zod's default wording (a server older than its "words for people" change sends it): rewritten so that
// no "Invalid input: expected number, received string" reaches the page.
const ZOD: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^Invalid input: expected \w+, received undefined$/i, () => 'is required'],
  [/^Invalid input: expected (\w+)/i, (m) => TYPE_WORDS[m[1]?.toLowerCase() ?? ''] ?? 'has the wrong type'],
  [/^Too small: expected string to have >=?1 characters?$/i, () => 'must not be empty'],
  [/^Too small: expected string to have >=?(\d+)/i, (m) => `must be at least ${m[1]} characters`],
  [/^Too big: expected string to have <=?(\d+)/i, (m) => `must be at most ${m[1]} characters`],
  [/^Too small: expected (?:number|int) to be >=?(-?[\d.]+)/i, (m) => `must be ${m[1]} or more`],
  [/^Too big: expected (?:number|int) to be <=?(-?[\d.]+)/i, (m) => `must be ${m[1]} or less`],
  [/^Too small: expected array to have >=?(\d+)/i, (m) => `must have at least ${m[1]} items`],
  [/^Invalid option: expected one of (.+)$/i, (m) => `must be one of ${m[1]?.replace(/\|/g, ', ')}`],
  [/^Invalid string: must match pattern/i, () => 'is not in the expected form'],
  [/^Invalid (?:input|value)$/i, () => 'is not valid'],
  [/^(unknown field|Unrecognized keys?.*)$/i, () => 'is not a field this form sends'],
];

/** A validation message in words for people (zod's defaults rewritten, anything else kept). */
export function humanMessage(message: string): string {
  for (const [re, words] of ZOD) {
    const m = message.match(re);
    if (m) return words(m);
  }
  return message;
}

/**
 * A message with the dotted paths it names (`tunnel.name`) replaced by their labels — longest first, so
 * `tunnel.restart.target` is not read as `tunnel.restart` and a stray ".target".
 */
export function namePaths(text: string, labels: Readonly<Record<string, string>> = {}): string {
  let out = text;
  for (const path of Object.keys(labels).sort((a, b) => b.length - a.length)) {
    if (path.includes('.')) out = out.split(path).join(`“${labels[path]}”`);
  }
  return out;
}

/** "containerPort" → "Container port". */
const words = (key: string): string => {
  const w = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return w ? `${w[0]?.toUpperCase()}${w.slice(1)}` : '';
};

/**
 * What people call a field: its label on the form, the label of the closest labelled parent plus the rest
 * ("Environment (FOO)"), or its last name in words — never the internal dotted path.
 */
export function labelOfPath(path: string, labels: Readonly<Record<string, string>> = {}): string {
  if (!path) return '';
  if (labels[path]) return labels[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const label = labels[parts.slice(0, i).join('.')];
    if (label) return `${label} (${parts.slice(i).join('.')})`;
  }
  const last = [...parts].reverse().find((p) => !/^\d+$/.test(p)) ?? path;
  return words(last);
}

/** "Image is required" / "Image: Docker said no" — the label, then the message as a sentence. */
const sentence = (label: string, message: string): string =>
  !label ? message : /^[a-z]/.test(message) ? `${label} ${message}` : `${label}: ${message}`;

/**
 * Map an API error's `details[].path` to the form's fields. A detail is attached to a field when its path
 * equals the field name or lies inside it (`ports.start` → `ports.start`, `access.allowedUsers.2` →
 * `access.allowedUsers`), a group's problem goes to its first field (`ports` → `ports.start`); a
 * comma-joined path (unknown keys) is split. Every cause is kept: two on one field
 * are joined. The rest, as sentences with the field's label (`labels`), and the message of an error without
 * details go to `general`.
 */
export function splitErrors(
  error: unknown,
  fieldNames: readonly string[],
  labels: Readonly<Record<string, string>> = {},
): SplitErrors {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  const holders: Record<string, string> = {};
  if (!error) return { fields, general, holders };
  if (!(error instanceof ApiError)) {
    general.push(error instanceof Error ? error.message : String(error));
    return { fields, general, holders };
  }
  const details: ErrorDetail[] = error.details.flatMap((d) =>
    d.path.includes(',') ? d.path.split(',').map((p) => ({ ...d, path: p })) : [d],
  );
  for (const detail of details) {
    const path = normalisePath(detail.path);
    const message = humanMessage(detail.message);
    // The field the path names or lies inside; for a problem of a group (`ports`: "start must not be after
    // end"), the group's first field on the form.
    const field =
      fieldNames
        .filter((name) => path === name || path.startsWith(`${name}.`))
        .sort((a, b) => b.length - a.length)[0] ??
      (path ? fieldNames.find((name) => name.startsWith(`${path}.`)) : undefined);
    if (field === undefined) general.push(sentence(labelOfPath(path, labels), message));
    else {
      // Inside a field: a list item needs no index ("3"), a key of a map does ("FOO must not be empty").
      const rest = path.startsWith(field) ? path.slice(field.length + 1) : '';
      const inner = !rest || /^[\d.]+$/.test(rest) ? message : sentence(rest, message);
      fields[field] = fields[field] ? `${fields[field]}; ${inner}` : inner;
      if (detail.projectId) holders[field] = detail.projectId;
    }
  }
  if (details.length === 0) general.push(humanMessage(error.message));
  return { fields, general, holders };
}
