import { AppError, conflict, upstreamError } from '../../domain/errors.js';

/** Anything that looks like a GitHub credential (tokens, JWTs, PEM blocks), for masking. */
const CREDENTIALS = [
  /\bgh[opsur]_[A-Za-z0-9_]{8,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{8,}/g,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
  /-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g,
];

/** Replace credential-looking substrings with `[masked]`. */
export function maskCredentials(text: string): string {
  return CREDENTIALS.reduce((out, re) => out.replace(re, '[masked]'), text);
}

/** The pieces of an Octokit RequestError (or fetch failure) that we read. */
interface ErrorLike {
  status?: number;
  message?: string;
  name?: string;
  response?: { data?: unknown };
}

/** HTTP status of a GitHub error, or 0 when no response came back. */
export const statusOf = (err: unknown): number => {
  const status = (err as ErrorLike | null)?.status;
  return typeof status === 'number' ? status : 0;
};

/** A short, masked snippet of GitHub's answer: `422 Repository creation failed. (name already exists…)`. */
export function githubSnippet(err: unknown, max = 200): string {
  const e = (err ?? {}) as ErrorLike;
  const data = e.response?.data as
    | { message?: unknown; errors?: Array<{ message?: unknown; code?: unknown }> }
    | string
    | undefined;
  let text: string;
  if (data && typeof data === 'object' && typeof data.message === 'string') {
    const extra = (data.errors ?? [])
      .map((x) => (typeof x?.message === 'string' ? x.message : typeof x?.code === 'string' ? x.code : ''))
      .filter(Boolean)
      .join('; ');
    text = extra ? `${data.message} (${extra})` : data.message;
  } else if (typeof data === 'string' && data.trim() !== '') {
    text = data;
  } else {
    // Octokit's own message can carry a docs URL; network errors carry the cause.
    text = e.message ?? String(err);
  }
  const status = statusOf(err);
  const snippet = maskCredentials(`${status ? `${status} ` : ''}${text}`.replace(/\s+/g, ' ').trim());
  return snippet.length > max ? `${snippet.slice(0, max - 1)}…` : snippet;
}

/** Translate a failure of a GitHub call into an AppError (502 with a snippet), keeping AppErrors as they are. */
export function toGithubError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  return upstreamError('GitHub', `${action} failed: ${githubSnippet(err)}`);
}

/** Like `toGithubError`, but a 422 "name already exists" becomes 409 CONFLICT. */
export function toCreateRepoError(err: unknown, fullName: string): AppError {
  const snippet = githubSnippet(err);
  if (statusOf(err) === 422 && /already exists/i.test(snippet)) {
    return conflict(`a repository named ${fullName} already exists on GitHub`);
  }
  return toGithubError(err, `creating ${fullName}`);
}
