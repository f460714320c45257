import { RE2JS } from 're2js';
import { validationError } from './errors.js';

/**
 * Docker image references and container names, parsed the way Docker's own parser does
 * (`distribution/reference`: the grammar of `reference.go`/`regexp.go`, `ParseNormalizedNamed`,
 * `splitDockerDomain` and `ParseDockerRef` of `normalize.go`, digests as `go-digest` validates them).
 * The expressions run on re2js, so they match exactly as Go's RE2 does.
 */

// The grammar, as `reference.go` documents it.
const ALPHA_NUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_LITERAL = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_LITERAL})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;

/** Compiled on first use: compiling these takes RE2JS longer than a whole panel start needs elsewhere. */
const lazyRegex = (source: string) => {
  let re: RE2JS | null = null;
  return (): RE2JS => {
    re ??= RE2JS.compile(source);
    return re;
  };
};
/** `reference := name [ ":" tag ] [ "@" digest ]`, capturing name, tag and digest. */
const REFERENCE = lazyRegex(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** A name split into its optional domain and its remote name (path). */
const ANCHORED_NAME = lazyRegex(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const IDENTIFIER = lazyRegex('^[a-f0-9]{64}$');

/** Docker Hub's domain in normalised references, its legacy alias, and the official-image namespace. */
export const DOCKER_HUB_DOMAIN = 'docker.io';
const LEGACY_DOCKER_HUB_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';

/**
 * Longest remote name (the path after the domain, `library/` included for official images), as
 * `RepositoryNameTotalLengthMax` counts it: `example.com/` + 255 characters is valid, a 255-character
 * short name is not (it becomes `library/` + 255).
 */
export const NAME_TOTAL_LENGTH_MAX = 255;

/**
 * Digest algorithms accepted, with the length of their lowercase hex encoding. Docker links
 * `crypto/sha256` and `crypto/sha512`; other algorithms are refused (`digest.ErrDigestUnsupported`).
 */
const DIGEST_ALGORITHMS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha512', 128],
]);

/** A parsed image reference, normalised as Docker normalises it. */
export interface ImageReference {
  /** The name as written (domain and path, no tag or digest). */
  name: string;
  /**
   * The registry named in the reference; null for Docker Hub however it is spelled (`redis`,
   * `docker.io/library/redis`, `index.docker.io/library/redis`), so every spelling of one image
   * gets the same answer.
   */
  domain: string | null;
  /** Path components after the domain, normalised: `redis` → `['library', 'redis']`. */
  path: string[];
  tag: string | null;
  digest: string | null;
  /** Registry host, for auth and pulls: `docker.io` for Docker Hub. */
  registry: string;
  /** Fully-qualified repository: `docker.io/library/redis`. */
  repository: string;
  /** The repository as Docker prints it: `redis`, `foo/bar`, `ghcr.io/org/app`. */
  familiarName: string;
}

const invalid = (message: string) => validationError(message, [{ path: 'image', message }]);
const quote = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…` : s);

/** `splitDockerDomain`: the first `/`-segment is a registry when it is `localhost`, has `.`/`:` or uppercase. */
function splitDockerDomain(ref: string): [domain: string, remainder: string] {
  const slash = ref.indexOf('/');
  if (slash === -1) return [DOCKER_HUB_DOMAIN, OFFICIAL_REPO_PREFIX + ref];
  const maybeDomain = ref.slice(0, slash);
  const rest = ref.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === LEGACY_DOCKER_HUB_DOMAIN) {
    [domain, remainder] = [DOCKER_HUB_DOMAIN, rest];
  } else if (
    maybeDomain === 'localhost' ||
    /[.:]/.test(maybeDomain) ||
    maybeDomain.toLowerCase() !== maybeDomain
  ) {
    [domain, remainder] = [maybeDomain, rest];
  } else {
    [domain, remainder] = [DOCKER_HUB_DOMAIN, ref];
  }
  if (domain === DOCKER_HUB_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
}

/** `digest.Parse`: a registered algorithm with exactly its length of lowercase hex. */
function checkDigest(digest: string): void {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_ALGORITHMS.get(algorithm);
  if (length === undefined) throw invalid(`unsupported digest algorithm: ${quote(algorithm)}`);
  if (encoded.length !== length) throw invalid('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw invalid('invalid checksum digest format');
}

/**
 * Parses an image reference as `ParseNormalizedNamed` does; anything Docker refuses is a
 * validation error naming the `image` field.
 */
export function parseImageReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref === '') throw invalid('image reference is empty');
  if (IDENTIFIER().testExact(ref)) {
    throw invalid(`invalid repository name (${quote(ref)}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(ref);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw invalid(`invalid reference format: repository name (${quote(remote)}) must be lowercase`);
  }
  const full = `${domain}/${remainder}`;
  const m = REFERENCE().exec(full);
  if (!m) {
    if (REFERENCE().testExact(full.toLowerCase())) throw invalid('repository name must be lowercase');
    throw invalid(`invalid reference format: ${quote(ref)}`);
  }
  const fullName = m[1] as string;
  const parts = ANCHORED_NAME().exec(fullName);
  // A first segment that is not a valid domain (e.g. `foo_bar.com/x`) leaves the whole name as the path.
  const parsedDomain = (parts?.[1] as string | undefined) ?? '';
  const remoteName = (parts?.[2] as string | undefined) ?? fullName;
  if (remoteName.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const digest = (m[3] as string | undefined) ?? null;
  if (digest !== null) checkDigest(digest);
  const hub = parsedDomain === DOCKER_HUB_DOMAIN;
  return {
    name: ref.slice(0, ref.length - (m[0].length - fullName.length)),
    domain: hub ? null : parsedDomain,
    path: remoteName.split('/'),
    tag: (m[2] as string | undefined) ?? null,
    digest,
    registry: parsedDomain,
    repository: fullName,
    familiarName: familiarName(parsedDomain, remoteName),
  };
}

/** `familiarizeName`: Docker Hub loses its domain, and official images their `library/`. */
function familiarName(domain: string, path: string): string {
  if (domain !== DOCKER_HUB_DOMAIN) return domain === '' ? path : `${domain}/${path}`;
  const rest = path.startsWith(OFFICIAL_REPO_PREFIX) ? path.slice(OFFICIAL_REPO_PREFIX.length) : path;
  return rest.includes('/') ? path : rest;
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

/** How `normalizeImageReference` spells a reference. */
export type ImageReferenceForm = 'familiar' | 'full';

/**
 * A reference in normal form. `familiar` is what Docker prints (`FamiliarString`:
 * `docker.io/library/redis:7` → `redis:7`, nothing added); `full` is what Docker pulls
 * (`ParseDockerRef`: `redis` → `docker.io/library/redis:latest`, and a reference with both tag and
 * digest keeps only the digest). Throws a validation error for an invalid reference.
 */
export function normalizeImageReference(ref: string, form: ImageReferenceForm = 'full'): string {
  const r = parseImageReference(ref);
  if (form === 'familiar') {
    return `${r.familiarName}${r.tag !== null ? `:${r.tag}` : ''}${r.digest !== null ? `@${r.digest}` : ''}`;
  }
  if (r.digest !== null) return `${r.repository}@${r.digest}`;
  return `${r.repository}:${r.tag ?? DEFAULT_TAG}`;
}

/** `docker.io/library/redis:latest` for `redis` (see `normalizeImageReference`). */
export const fullImageReference = (ref: string): string => normalizeImageReference(ref, 'full');

/** `redis:7` for `docker.io/library/redis:7` (see `normalizeImageReference`). */
export const familiarImageReference = (ref: string): string => normalizeImageReference(ref, 'familiar');

/**
 * True when both references name the same image as Docker resolves them: `redis`, `redis:latest`
 * and `docker.io/library/redis:latest` are one image; so are `a:1@sha256:…` and `a@sha256:…`.
 * False when either is invalid.
 */
export function sameImage(a: string, b: string): boolean {
  try {
    return fullImageReference(a) === fullImageReference(b);
  } catch {
    return false;
  }
}

/** Registry host to authenticate against and pull from: `docker.io` for Docker Hub images. */
export const imageRegistryHost = (ref: string): string => parseImageReference(ref).registry;

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
