import { validationError } from './errors.js';

/**
 * Lexical check of a user-supplied path relative to the repos root. Pure: that the resolved path
 * contains no symlink leading outside the root is checked by the host integration (I/O).
 */

/** Longest accepted relative path, in characters. */
export const MAX_RELATIVE_PATH = 1024;
/** Longest accepted path segment (the usual file-system limit). */
export const MAX_SEGMENT = 255;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects.
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Validates a relative path (`a/b`, `./a//b/`) and returns it normalised (`a/b`): no empty input,
 * absolute paths, drive letters, `..` segments, backslashes, NUL or control characters, over-long
 * paths or segments, and not the root itself. Throws a validation error naming `field`.
 */
export function validateRelativePath(p: string, field = 'path'): string {
  const fail = (message: string) => validationError(message, [{ path: field, message }]);
  if (typeof p !== 'string' || p.trim() === '') throw fail('path is empty');
  if (p.length > MAX_RELATIVE_PATH) throw fail(`path must be at most ${MAX_RELATIVE_PATH} characters`);
  if (CONTROL.test(p)) throw fail('path must not contain control characters');
  if (p.includes('\\')) throw fail('path must use "/" separators, not backslashes');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.startsWith('~')) {
    throw fail('path must be relative to the repos root');
  }
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw fail('path must not contain ".." segments');
  if (segments.some((s) => s.length > MAX_SEGMENT))
    throw fail(`path segments must be at most ${MAX_SEGMENT} characters`);
  if (segments.length === 0) throw fail('path must name a folder inside the repos root');
  return segments.join('/');
}
