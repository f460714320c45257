import { ANY_EXIT_CODE, createRunner } from '../../lib/process/runner.js';
import type { Runner, RunOptions } from '../../lib/task-context.js';
import { resolveModel } from './compose-resolve.js';

export type { Runner };

/** How long one compose command may run (a first `up --build` of a real app can take minutes). */
export const COMPOSE_TIMEOUT_MS = 20 * 60_000;

/** The compose command: `docker compose` (v2 plugin) or `docker-compose` (v1). */
export type ComposeCommand = readonly ['docker', 'compose'] | readonly ['docker-compose'];

/** The compose command and its major version (v1's `config` prints YAML and knows no `name:`). */
export interface ComposeFlavour {
  command: ComposeCommand;
  major: 1 | 2;
}

/** Run a program quietly; resolves to its exit code (127 when it cannot start) and its output. */
async function probe(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  try {
    const res = await createRunner({ timeoutMs: 10_000 })(argv, { env, quiet: true, okCodes: ANY_EXIT_CODE });
    return { code: res.code, stdout: res.stdout.slice(0, 1000) };
  } catch {
    return { code: 127, stdout: '' };
  }
}

/** `version --short` of a compose command → its major version (a v1 forwarded as a plugin says 1.x). */
async function majorOf(command: ComposeCommand, env: Record<string, string>): Promise<1 | 2 | null> {
  const { code, stdout } = await probe([...command, 'version', '--short'], env);
  if (code !== 0) return null;
  return /^v?1\./.test(stdout.trim()) ? 1 : 2;
}

/**
 * Resolve the compose command once at start-up: the configured override, else `docker compose` when
 * `docker compose version --short` succeeds, else `docker-compose`; with the major version it reports.
 */
export async function detectCompose(
  configured: 'docker compose' | 'docker-compose' | null,
  env: Record<string, string>,
): Promise<ComposeFlavour> {
  const v2: ComposeCommand = ['docker', 'compose'];
  const v1: ComposeCommand = ['docker-compose'];
  if (configured === 'docker compose') return { command: v2, major: (await majorOf(v2, env)) ?? 2 };
  if (configured === 'docker-compose') return { command: v1, major: (await majorOf(v1, env)) ?? 1 };
  const plugin = await majorOf(v2, env);
  if (plugin !== null) return { command: v2, major: plugin };
  return { command: v1, major: (await majorOf(v1, env)) ?? 1 };
}

/**
 * One compose project: its name (`warp-<slug>`), its folder and the model file the panel wrote (null:
 * Compose's own file lookup in the folder), plus the profiles the model's services need enabled.
 */
export interface ComposeTarget {
  project: string;
  cwd: string;
  file: string | null;
  profiles?: readonly string[];
}

/**
 * Compose operations with flags that v1 (1.29) and v2 both accept. Always `-p`, so two copies of one
 * template never cross-wire, and nothing depends on container names (v1 `p_s_1`, v2 `p-s-1`).
 */
export function createCompose(flavour: ComposeFlavour, env: Record<string, string> = {}) {
  const { command } = flavour;
  const base = (t: ComposeTarget) => [
    ...command,
    '--project-directory',
    t.cwd,
    '-p',
    t.project,
    ...(t.file ? ['-f', t.file] : []),
    ...(t.profiles ?? []).flatMap((p) => ['--profile', p]),
  ];
  // Every compose command has a time limit: a build or pull that hangs ends the job, not the panel's patience.
  const opts = (t: ComposeTarget, extra: RunOptions = {}): RunOptions => ({
    cwd: t.cwd,
    env,
    timeoutMs: COMPOSE_TIMEOUT_MS,
    ...extra,
  });
  return {
    command,
    major: flavour.major,
    /** `extraEnv` (a per-run `DOCKER_CONFIG` with registry logins) goes to this run only. */
    up: (run: Runner, t: ComposeTarget, extraEnv: Record<string, string> = {}) =>
      run([...base(t), 'up', '--build', '-d', '--remove-orphans'], opts(t, { env: { ...env, ...extraEnv } })),
    /** Pull these services' images again (a newer push under the same tag); `extraEnv` as for `up`. */
    pull: (run: Runner, t: ComposeTarget, services: string[], extraEnv: Record<string, string> = {}) =>
      run([...base(t), 'pull', ...services], opts(t, { env: { ...env, ...extraEnv } })),
    build: (run: Runner, t: ComposeTarget) => run([...base(t), 'build'], opts(t)),
    down: (run: Runner, t: ComposeTarget, removeVolumes: boolean) =>
      run([...base(t), 'down', '--remove-orphans', ...(removeVolumes ? ['-v'] : [])], opts(t)),
    stop: (run: Runner, t: ComposeTarget) => run([...base(t), 'stop'], opts(t)),
    start: (run: Runner, t: ComposeTarget) => run([...base(t), 'start'], opts(t)),
    restart: (run: Runner, t: ComposeTarget) => run([...base(t), 'restart'], opts(t)),
    /**
     * The project as Compose resolves it in `cwd` (its file lookup, override file, `.env`, profiles):
     * `config --format json` on v2, v1's YAML `config` parsed into the same shape. `allProfiles` also
     * resolves services of profiles that are not active. A project Compose rejects is a 400 quoting it.
     */
    resolve: (
      run: Runner,
      t: { project: string; cwd: string },
      o: { allProfiles?: boolean; mask?: (text: string) => string } = {},
    ) => resolveModel({ command, major: flavour.major, env, run }, t, o),
  };
}

export type Compose = ReturnType<typeof createCompose>;
