import { spawn } from 'node:child_process';
import type { RunOptions, RunResult } from '../../lib/task-context.js';

/** Runs a program (argv) — the job context's `run` in jobs, so output lands in the job log. */
export type Runner = (argv: string[], options?: RunOptions) => Promise<RunResult>;

/** The compose command: `docker compose` (v2 plugin) or `docker-compose` (v1). */
export type ComposeCommand = readonly ['docker', 'compose'] | readonly ['docker-compose'];

/** Probe a program quietly; resolves to its exit code (127 when it cannot start). */
function probe(argv: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(127);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

/**
 * Resolve the compose command once at start-up: the configured override, else `docker compose` when
 * `docker compose version --short` succeeds, else `docker-compose`.
 */
export async function detectCompose(
  configured: 'docker compose' | 'docker-compose' | null,
  env: Record<string, string>,
): Promise<ComposeCommand> {
  if (configured === 'docker compose') return ['docker', 'compose'];
  if (configured === 'docker-compose') return ['docker-compose'];
  return (await probe(['docker', 'compose', 'version', '--short'], env)) === 0
    ? ['docker', 'compose']
    : ['docker-compose'];
}

/**
 * One compose project: a name (`warp-<slug>`), the file to run and the project directory. The file may
 * live elsewhere (the patched copy under `.warp/`): relative paths in it still resolve against `cwd`.
 */
export interface ComposeTarget {
  project: string;
  file: string;
  cwd: string;
}

/**
 * Compose operations with flags that v1 (1.29) and v2 both accept. Always `-p` and `-f`, so two copies
 * of one template never cross-wire, and nothing depends on container names (v1 `p_s_1`, v2 `p-s-1`).
 */
export function createCompose(command: ComposeCommand, env: Record<string, string> = {}) {
  const base = (t: ComposeTarget) => [
    ...command,
    '--project-directory',
    t.cwd,
    '-p',
    t.project,
    '-f',
    t.file,
  ];
  const opts = (t: ComposeTarget, extra: RunOptions = {}): RunOptions => ({ cwd: t.cwd, env, ...extra });
  return {
    command,
    up: (run: Runner, t: ComposeTarget) =>
      run([...base(t), 'up', '--build', '-d', '--remove-orphans'], opts(t)),
    build: (run: Runner, t: ComposeTarget) => run([...base(t), 'build'], opts(t)),
    down: (run: Runner, t: ComposeTarget, removeVolumes: boolean) =>
      run([...base(t), 'down', '--remove-orphans', ...(removeVolumes ? ['-v'] : [])], opts(t)),
    stop: (run: Runner, t: ComposeTarget) => run([...base(t), 'stop'], opts(t)),
    start: (run: Runner, t: ComposeTarget) => run([...base(t), 'start'], opts(t)),
    restart: (run: Runner, t: ComposeTarget) => run([...base(t), 'restart'], opts(t)),
    /** Validates the file the way compose reads it; throws with compose's message when it is invalid. */
    config: (run: Runner, t: ComposeTarget) => run([...base(t), 'config', '-q'], opts(t, { quiet: true })),
  };
}

export type Compose = ReturnType<typeof createCompose>;
