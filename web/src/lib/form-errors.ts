import { ApiError, type ErrorDetail } from '../api/client.js';

/** Field messages keyed by form field name, plus the problems no field on the form can show. */
export interface SplitErrors {
  fields: Record<string, string>;
  general: string[];
}

/** Normalise an API detail path to a form field name: `body.x` / `/x/y` / `x[0]` → `x` / `x.y` / `x.0`. */
export function normalisePath(path: string): string {
  return path
    .replace(/^\/+/, '')
    .replace(/\//g, '.')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^body\./, '');
}

/**
 * Map an API error's `details[].path` to the form's fields. A detail is attached to a field when its path
 * equals the field name or lies inside it (`ports.start` → `ports.start`, `access.allowedUsers.2` →
 * `access.allowedUsers`); a comma-joined path (unknown keys) is split. The rest, and the message of an error
 * without details, go to `general`.
 */
export function splitErrors(error: unknown, fieldNames: readonly string[]): SplitErrors {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (!error) return { fields, general };
  if (!(error instanceof ApiError)) {
    general.push(error instanceof Error ? error.message : String(error));
    return { fields, general };
  }
  const details: ErrorDetail[] = error.details.flatMap((d) =>
    d.path.includes(',') ? d.path.split(',').map((p) => ({ path: p, message: d.message })) : [d],
  );
  for (const detail of details) {
    const path = normalisePath(detail.path);
    const field = fieldNames
      .filter((name) => path === name || path.startsWith(`${name}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (field === undefined) general.push(path ? `${path}: ${detail.message}` : detail.message);
    else fields[field] = fields[field] ? `${fields[field]}; ${detail.message}` : detail.message;
  }
  if (details.length === 0) general.push(error.message);
  return { fields, general };
}
