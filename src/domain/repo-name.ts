import { validationError } from './errors.js';

/** Names for new GitHub repositories and compose projects, and `owner/repo` parsing. */

/** Longest repository name GitHub accepts. */
export const REPO_NAME_MAX = 100;
/** Lowercase words joined by single hyphens: the form the panel uses for repositories it creates. */
const SAFE_REPO_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** GitHub login: alphanumerics and single inner hyphens, at most 39 characters. */
const OWNER = /^(?=.{1,39}$)[A-Za-z0-9](?:-?[A-Za-z0-9])*$/;
/** Any existing GitHub repository name. */
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
/** Longest slug used in a compose project name (`warp-<slug>`). */
const SLUG_MAX = 50;

const invalid = (path: string, message: string) => validationError(message, [{ path, message }]);

/** True for a safe new-repository name: lowercase, hyphenated, ≤ 100 characters. */
export const isSafeRepoName = (name: string): boolean =>
  typeof name === 'string' && name.length <= REPO_NAME_MAX && SAFE_REPO_NAME.test(name);

/** Validates a new-repository name (see `isSafeRepoName`) and returns it. */
export function parseRepoName(name: string, field = 'name'): string {
  if (!isSafeRepoName(name)) {
    throw invalid(
      field,
      'repository name must be lowercase letters and digits joined by single hyphens (≤ 100)',
    );
  }
  return name;
}

/**
 * A slug of `[a-z0-9-]` that starts and ends with a letter or digit (accents folded, other runs of
 * characters become one hyphen, at most 50 characters); `project` when nothing is left.
 */
export function slugify(name: string): string {
  const slug = String(name)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'project' : slug;
}

/** The compose project name for a project: `warp-<slug>` (valid for compose v1 and v2 `-p`). */
export const composeProjectName = (name: string): string => `warp-${slugify(name)}`;

/** `base`, else `base-2`, `base-3`, … not in `taken` (compared case-insensitively, like GitHub); ≤ 100 chars. */
export function nextFreeRepoName(base: string, taken: ReadonlySet<string>): string {
  const names = new Set([...taken].map((n) => n.toLowerCase()));
  if (!names.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const candidate = `${base.slice(0, REPO_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!names.has(candidate.toLowerCase())) return candidate;
  }
}

/** An `owner/repo` pair. */
export interface OwnerRepo {
  owner: string;
  repo: string;
}

/** Parses and validates `owner/repo` (GitHub login rules for the owner, GitHub repo-name rules). */
export function parseOwnerRepo(s: string, field = 'repository'): OwnerRepo {
  const parts = typeof s === 'string' ? s.split('/') : [];
  const [owner = '', repo = ''] = parts;
  if (parts.length !== 2) throw invalid(field, 'must be "owner/repo"');
  if (!OWNER.test(owner)) throw invalid(field, 'owner must be letters, digits and single hyphens (≤ 39)');
  if (!REPO.test(repo) || repo === '.' || repo === '..') {
    throw invalid(field, 'repository name must be 1–100 of A-Z a-z 0-9 . _ -');
  }
  return { owner, repo };
}
