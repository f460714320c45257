import fs from 'node:fs';
import path from 'node:path';
import { conflict, validationError } from '../../domain/errors.js';
import { createRunner } from '../../lib/process/runner.js';
import type { Runner, RunResult } from '../../lib/task-context.js';

/** Default bound for one git network operation. */
export const GIT_TIMEOUT_MS = 5 * 60_000;

/** What both git operations take. */
interface GitAuthInput {
  /** Installation token; sent only as an HTTP header through the environment. */
  token: string | null;
  /** `ctx.run` of a job (output streams into the job log); default: a stand-alone runner. */
  run?: Runner;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** `ctx.addSecret`: masks the token (and its header forms) in later job log lines. */
  addSecret?: (value: string) => void;
}

/**
 * Environment that makes git send `Authorization: Basic base64(x-access-token:<token>)` via
 * `http.<origin>/.extraHeader` (GIT_CONFIG_COUNT/KEY/VALUE): nothing in the URL, argv or `.git/config`,
 * and the header goes only to the repository's origin (not to a host a redirect points at).
 * Credential helpers are switched off and prompts disabled, so a bad token fails instead of hanging.
 */
export function gitAuthEnv(
  token: string | null,
  origin: string,
  addSecret?: (value: string) => void,
): Record<string, string> {
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'credential.helper',
    GIT_CONFIG_VALUE_0: '',
  };
  if (!token) return env;
  const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
  addSecret?.(token);
  addSecret?.(basic);
  return {
    ...env,
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_1: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_1: `Authorization: Basic ${basic}`,
  };
}

/** An http(s) URL without credentials (a token in the URL would be saved in `.git/config`). */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError('invalid repository URL', [{ path: 'url', message: 'expected an http(s) URL' }]);
  }
  if (!['https:', 'http:'].includes(parsed.protocol) || parsed.username || parsed.password) {
    throw validationError('invalid repository URL', [
      { path: 'url', message: 'expected an http(s) URL without credentials' },
    ]);
  }
  return parsed.toString();
}

const runnerOf = (input: GitAuthInput): Runner => input.run ?? createRunner({ signal: input.signal });

/** A branch name as git itself judges it (`git check-ref-format --branch`); 400 otherwise. */
export async function checkedBranch(run: Runner, name: string): Promise<string> {
  const res = await run(['git', 'check-ref-format', '--branch', name], {
    quiet: true,
    okCodes: [0, 1, 128, 129],
  });
  if (res.code !== 0 || name.startsWith('-')) {
    throw validationError(`"${name.slice(0, 100)}" is not a valid branch name`, [
      { path: 'branch', message: 'git check-ref-format refuses it' },
    ]);
  }
  return name;
}

/** Shallow-clone `url` into `dest` (which must not exist or be empty). */
export async function cloneRepo(
  input: GitAuthInput & { url: string; dest: string; branch?: string; depth?: number },
): Promise<RunResult> {
  const url = checkedUrl(input.url);
  const origin = new URL(url).origin;
  const dest = path.resolve(input.dest);
  if (fs.existsSync(dest) && fs.readdirSync(dest).length > 0) {
    throw conflict(`clone target ${dest} already exists and is not empty`);
  }
  const run = runnerOf(input);
  const branch = input.branch ? [`--branch=${await checkedBranch(run, input.branch)}`] : [];
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  input.signal?.throwIfAborted();
  const argv = ['git', 'clone', '--depth', String(input.depth ?? 1), '--single-branch', '--no-tags'];
  return run([...argv, ...branch, '--', url, dest], {
    env: gitAuthEnv(input.token, origin, input.addSecret),
    timeoutMs: input.timeoutMs ?? GIT_TIMEOUT_MS,
  });
}

/** A full commit id (40 lowercase hex digits, SHA-1); 400 otherwise. */
export function checkedCommit(sha: string): string {
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw validationError('invalid commit', [
      { path: 'commit', message: 'expected a 40-character commit id' },
    ]);
  }
  return sha;
}

/** The commit a clone has checked out (`git rev-parse HEAD`). */
export async function headCommit(run: Runner, dest: string): Promise<string> {
  const res = await run(['git', '-C', path.resolve(dest), 'rev-parse', '--verify', 'HEAD^{commit}'], {
    quiet: true,
  });
  return checkedCommit(res.stdout.trim());
}

/**
 * Update an existing clone to the remote's latest `branch` (default: the remote HEAD), or to exactly
 * `commit` when given (fetched by id, as GitHub allows for reachable commits); local changes to tracked
 * files are discarded.
 */
export async function fetchAndReset(
  input: GitAuthInput & { dest: string; branch?: string; commit?: string },
): Promise<RunResult> {
  const dest = path.resolve(input.dest);
  if (!fs.existsSync(path.join(dest, '.git'))) throw validationError(`${dest} is not a git clone`);
  const run = runnerOf(input);
  const remote = await run(['git', '-C', dest, 'config', '--get', 'remote.origin.url'], { quiet: true });
  const origin = new URL(checkedUrl(remote.stdout.trim())).origin;
  const env = gitAuthEnv(input.token, origin, input.addSecret);
  const timeoutMs = input.timeoutMs ?? GIT_TIMEOUT_MS;
  const ref = input.commit
    ? checkedCommit(input.commit)
    : input.branch
      ? await checkedBranch(run, input.branch)
      : 'HEAD';
  input.signal?.throwIfAborted();
  await run(['git', '-C', dest, 'fetch', '--depth', '1', '--no-tags', '--', 'origin', ref], {
    env,
    timeoutMs,
  });
  input.signal?.throwIfAborted();
  return run(['git', '-C', dest, 'reset', '--hard', 'FETCH_HEAD'], { env, timeoutMs });
}
