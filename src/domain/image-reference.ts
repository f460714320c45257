import { validationError } from './errors.js';

/**
 * Docker image references and container names. The grammar is `distribution/reference`'s
 * (`reference.go`, `regexp.go`); the domain split follows `normalize.go` `splitDockerDomain`.
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Longest repository name (domain and path) the grammar allows. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** A parsed image reference; `domain` is null for Docker Hub (`docker.io`). */
export interface ImageReference {
  /** The name as written (domain and path, no tag or digest). */
  name: string;
  domain: string | null;
  /** Path components after the domain, e.g. `library/redis` → `['library', 'redis']`. */
  path: string[];
  tag: string | null;
  digest: string | null;
}

const invalid = (message: string) => validationError(message, [{ path: 'image', message }]);

/** Parses an image reference with the distribution grammar; anything else is a validation error. */
export function parseImageReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref === '') throw invalid('image reference is empty');
  // Longer than any valid reference (name 255 + tag 128 + digest); also bounds the regex's work.
  if (ref.length > 1024) throw invalid('image reference is too long');
  const m = REFERENCE.exec(ref);
  if (!m) throw invalid(`invalid image reference: ${JSON.stringify(ref.slice(0, 300))}`);
  const name = m[1] ?? '';
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (/^[a-f0-9]{64}$/.test(name)) throw invalid('image name cannot be a 64-character hexadecimal id');
  const segments = name.split('/');
  const first = segments[0] ?? '';
  const hasDomain =
    segments.length > 1 && (first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase());
  const domain = hasDomain ? first : null;
  const path = hasDomain ? segments.slice(1) : segments;
  if (path.some((c) => c !== c.toLowerCase())) throw invalid('repository name must be lowercase');
  return { name, domain, path, tag: m[2] ?? null, digest: m[3] ?? null };
}

/** True when `ref` is a valid image reference. */
export function isValidImageReference(ref: string): boolean {
  try {
    parseImageReference(ref);
    return true;
  } catch {
    return false;
  }
}

/** Docker's container-name rule (`names.RestrictedNameChars`): at least two characters. */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** True when Docker would accept `name` as a container name. */
export const isValidContainerName = (name: string): boolean =>
  typeof name === 'string' && CONTAINER_NAME.test(name);

/** True for a full or short container id: 12–64 lowercase hex characters. */
export const isContainerId = (s: string): boolean => typeof s === 'string' && /^[0-9a-f]{12,64}$/.test(s);

/**
 * Container name for a quick service: the last path component of the image (digest, tag and
 * registry dropped): `excalidraw/excalidraw:latest` → `excalidraw`, `ghcr.io/org/app:1.2` → `app`.
 * A one-character component gets `-app` appended (`x/y` → `y-app`) to meet Docker's two-character
 * minimum. Throws a validation error for an invalid reference.
 */
export function inferContainerName(ref: string): string {
  const last = parseImageReference(ref).path.at(-1) ?? '';
  return last.length < 2 ? `${last}-app` : last;
}

/** `base`, else `base-2`, `base-3`, … — the first not in `taken` (a leading `/` in `taken` is ignored). */
export function nextFreeName(base: string, taken: ReadonlySet<string>): string {
  const names = new Set([...taken].map((n) => n.replace(/^\//, '')));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!names.has(candidate)) return candidate;
  }
}
