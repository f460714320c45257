import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { COMPOSE_FILE_NAMES, type ComposeModel, isObj, profilesOf } from '../../domain/compose/index.js';
import { validationError } from '../../domain/errors.js';
import { ANY_EXIT_CODE } from '../../lib/process/runner.js';
import type { Runner } from '../../lib/task-context.js';

/** A resolved project and what Compose warned about while resolving it. */
export interface ResolvedCompose {
  model: ComposeModel;
  warnings: string[];
}

interface ResolveDeps {
  command: readonly string[];
  major: 1 | 2;
  env: Record<string, string>;
  run: Runner;
}

const RESOLVE_TIMEOUT_MS = 30_000;
/** Alias expansions a compose file may need (real files use a few dozen; a "billion laughs" file needs 10^8). */
const MAX_ALIAS_COUNT = 1000;
/** The largest compose file the panel hands to Compose (real ones are a few KiB). */
const MAX_COMPOSE_FILE_BYTES = 1024 * 1024;

/**
 * Compose takes minutes and gigabytes on an alias bomb, so the folder's own compose files (and their
 * override files) are read first — read only, never written back: only the expansion is checked.
 */
async function refuseAliasBombs(cwd: string): Promise<void> {
  const names = COMPOSE_FILE_NAMES.flatMap((n) => [n, n.replace(/\.(ya?ml)$/, '.override.$1')]);
  for (const name of names) {
    const file = path.join(cwd, name);
    const stat = await fs.lstat(file).catch(() => null);
    if (!stat?.isFile()) continue;
    if (stat.size > MAX_COMPOSE_FILE_BYTES) {
      const reason = `${name} is ${Math.ceil(stat.size / 1024)} KiB; compose files up to ${MAX_COMPOSE_FILE_BYTES / 1024} KiB are accepted`;
      throw validationError(`the compose file is too large: ${reason}`, [
        { path: 'compose', message: reason },
      ]);
    }
    const doc = YAML.parseDocument(await fs.readFile(file, 'utf8'), { merge: true, uniqueKeys: false });
    if (doc.errors.length > 0) continue; // Compose reports syntax errors in its own words
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const reason = `${name} expands its YAML aliases too far (${error instanceof Error ? error.message : String(error)})`;
      throw validationError(`the compose file cannot be read: ${reason}`, [
        { path: 'compose', message: reason },
      ]);
    }
  }
}

/** Compose's stderr as sentences: logrus lines (`time=… level=… msg="…"`) and v1's `WARNING:` prefix undone. */
export function composeMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => {
      const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
      if (m) {
        try {
          return JSON.parse(`"${m[1]}"`) as string;
        } catch {
          return m[1]!;
        }
      }
      return line.replace(/^(WARNING|ERROR):\s*/, '');
    })
    .map((l) => l.trim())
    .filter(Boolean);
}

/** `COMPOSE_PROFILES` from the folder's `.env` (what v1 reads for a plain `up`). */
async function envFileProfiles(cwd: string): Promise<Set<string>> {
  const text = await fs.readFile(path.join(cwd, '.env'), 'utf8').catch(() => '');
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .findLast((l) => /^(export\s+)?COMPOSE_PROFILES=/.test(l));
  const value = line?.slice(line.indexOf('=') + 1).replace(/^(['"])(.*)\1$/, '$2') ?? '';
  return new Set(
    value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

/**
 * PyYAML's implicit types where the `yaml` package's YAML 1.1 schema is wider: PyYAML dumps `y`, `n`
 * and `1e3` unquoted because *it* reads them as strings, so they must come back as strings here.
 */
const PYYAML_TESTS: [(t: { tag: string; format?: string; test?: RegExp }) => boolean, RegExp][] = [
  [
    (t) => t.tag.endsWith(':bool') && t.test?.test('true') === true,
    /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
  ],
  [
    (t) => t.tag.endsWith(':bool') && t.test?.test('false') === true,
    /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  ],
  [
    (t) => t.tag.endsWith(':float') && t.format === 'EXP',
    /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/,
  ],
  [
    (t) => t.tag.endsWith(':float') && t.test?.test('1.5') === true,
    /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/,
  ],
];
const pyyamlTags = (tags: YAML.Tags): YAML.Tags =>
  tags.map((t) => {
    if (typeof t !== 'object' || !('test' in t) || !t.test) return t;
    const found = PYYAML_TESTS.find(([match]) => match(t as { tag: string; format?: string; test?: RegExp }));
    return found ? { ...t, test: found[1] } : t;
  });

/** v1's YAML printed by PyYAML (YAML 1.1 rules) into the JSON shape; inactive profiles dropped unless `all`. */
async function fromV1(stdout: string, cwd: string, all: boolean): Promise<ComposeModel> {
  const parsed: unknown = YAML.parse(stdout, {
    version: '1.1',
    customTags: pyyamlTags,
    maxAliasCount: 10_000,
  });
  const model: ComposeModel = isObj(parsed) ? parsed : {};
  if (all || !isObj(model.services)) return model;
  const active = await envFileProfiles(cwd);
  const services = Object.entries(model.services).filter(([, def]) => {
    const profiles = profilesOf(def);
    return profiles.length === 0 || profiles.some((p) => active.has(p));
  });
  return { ...model, services: Object.fromEntries(services) };
}

/** See `Compose.resolve`. */
export async function resolveModel(
  deps: ResolveDeps,
  target: { project: string; cwd: string },
  opts: { allProfiles?: boolean; mask?: (text: string) => string },
): Promise<ResolvedCompose> {
  const mask = opts.mask ?? ((t: string) => t);
  await refuseAliasBombs(target.cwd);
  const profiles = opts.allProfiles && deps.major === 2 ? ['--profile', '*'] : [];
  const format = deps.major === 2 ? ['--format', 'json'] : [];
  const argv = [...deps.command, '--project-directory', target.cwd, '-p', target.project, ...profiles];
  const res = await deps.run([...argv, 'config', ...format], {
    cwd: target.cwd,
    env: deps.env,
    quiet: true, // the model can hold resolved env secrets: never in the job log
    okCodes: ANY_EXIT_CODE,
    timeoutMs: RESOLVE_TIMEOUT_MS,
  });
  const messages = composeMessages(mask(res.stderr));
  if (res.code !== 0) {
    const reason = messages.join('\n').slice(0, 2000) || `exited with code ${res.code}`;
    throw validationError(`Compose rejects the project in ${path.basename(target.cwd)}: ${reason}`, [
      { path: 'compose', message: reason },
    ]);
  }
  let model: ComposeModel;
  try {
    model =
      deps.major === 2
        ? (JSON.parse(res.stdout) as ComposeModel)
        : await fromV1(res.stdout, target.cwd, opts.allProfiles === true);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw validationError('Compose printed a model the panel cannot read', [
      { path: 'compose', message: reason },
    ]);
  }
  return { model, warnings: messages };
}

/** Values of the folder's `.env` (`KEY=value` lines): masked wherever Compose might quote them. */
export async function dotenvValues(cwd: string): Promise<string[]> {
  const text = await fs.readFile(path.join(cwd, '.env'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && l.includes('='))
    .map((l) =>
      l
        .slice(l.indexOf('=') + 1)
        .trim()
        .replace(/^(['"])(.*)\1$/, '$2'),
    )
    .filter((v) => v.length >= 4);
}
