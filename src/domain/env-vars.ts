import type { ErrorDetail } from './errors.js';
import { validationError } from './errors.js';

/** Environment variables for containers: names, values and size limits. */

/** Most entries one env map may have. */
export const MAX_ENV_ENTRIES = 200;
/** Largest value, in UTF-8 bytes. */
export const MAX_ENV_VALUE_BYTES = 32 * 1024;
/** Longest name. */
export const MAX_ENV_NAME_LENGTH = 256;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a portable variable name (`[A-Za-z_][A-Za-z0-9_]*`, ≤ 256 characters). */
export const isValidEnvName = (name: string): boolean =>
  typeof name === 'string' && name.length <= MAX_ENV_NAME_LENGTH && NAME.test(name);

/** Every problem in an env map; each `path` is `env.NAME` (or `env` for the map itself). */
export function envProblems(env: unknown): ErrorDetail[] {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    return [{ path: 'env', message: 'must be an object of name → string value' }];
  }
  const entries = Object.entries(env);
  const problems: ErrorDetail[] = [];
  if (entries.length > MAX_ENV_ENTRIES) {
    problems.push({ path: 'env', message: `at most ${MAX_ENV_ENTRIES} variables are allowed` });
  }
  const encoder = new TextEncoder();
  for (const [name, value] of entries) {
    const path = `env.${name}`;
    if (!isValidEnvName(name)) {
      problems.push({ path, message: 'name must match [A-Za-z_][A-Za-z0-9_]* (at most 256 characters)' });
    } else if (typeof value !== 'string') {
      problems.push({ path, message: 'value must be a string' });
    } else if (value.includes('\0')) {
      problems.push({ path, message: 'value must not contain NUL characters' });
    } else if (encoder.encode(value).length > MAX_ENV_VALUE_BYTES) {
      problems.push({ path, message: `value must be at most ${MAX_ENV_VALUE_BYTES} bytes` });
    }
  }
  return problems;
}

/** Validates an env map (see `envProblems`) and returns a copy typed as `Record<string, string>`. */
export function parseEnvVars(env: unknown): Record<string, string> {
  const problems = envProblems(env);
  if (problems.length > 0) throw validationError('invalid environment variables', problems);
  return Object.fromEntries(Object.entries(env as Record<string, string>));
}

/** An env map as Docker's `Env` list (`NAME=value`), in key order. */
export const toDockerEnv = (env: Readonly<Record<string, string>>): string[] =>
  Object.entries(env).map(([name, value]) => `${name}=${value}`);
