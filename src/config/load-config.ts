import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { z } from 'zod';
import { type Config, envSchema, toConfig } from './config.schema.js';
import { configProblem } from './env-forms.js';

/** Thrown when the environment holds a bad value; the message names each variable and the expected form. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One line per bad variable: "WARP_PORT must be a number from 1 to 65535 (got 'abc')". */
function describeIssues(error: z.ZodError, input: Record<string, string>): string {
  const names = [...new Set(error.issues.map((issue) => String(issue.path[0] ?? '')))];
  return names.map((name) => configProblem(name, input[name])).join('\n');
}

function readDotEnv(cwd: string): Record<string, string> {
  const file = path.join(cwd, '.env');
  if (!fs.existsSync(file)) return {};
  return parseEnv(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

/**
 * Validate the environment once into a frozen config. Values from `.env` in `cwd` fill in what the
 * real environment does not set. Empty strings count as unset.
 */
export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Config {
  const merged: Record<string, string> = { ...readDotEnv(cwd) };
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  for (const key of Object.keys(merged)) if (merged[key] === '') delete merged[key];
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(describeIssues(parsed.error, merged));
  }
  return deepFreeze(toConfig(parsed.data, cwd));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
