import YAML from 'yaml';
import { validationError } from '../../domain/errors.js';
import type { Runner } from '../../lib/task-context.js';
import type { ComposeCommand, ComposeTarget } from '../compose/compose-cli.js';

/**
 * `docker stack deploy` and the compose commands a stack deploy needs (resolve the model, build and
 * push images), through the Docker CLI with the panel's DOCKER_HOST — the same manager the Engine
 * API calls go to.
 */
export function createStackCli(command: ComposeCommand, env: Record<string, string>) {
  const base = (t: ComposeTarget) => [
    ...command,
    '--project-directory',
    t.cwd,
    '-p',
    t.project,
    '-f',
    t.file,
  ];
  const opts = (t: ComposeTarget, quiet = false) => ({ cwd: t.cwd, env, quiet, timeoutMs: 30 * 60_000 });
  return {
    /** The resolved Compose model (includes, extends, profiles, interpolation applied by compose). */
    async resolve(run: Runner, t: ComposeTarget): Promise<unknown> {
      // v2 prints JSON with --format json; v1 has no --format and prints YAML (a superset of JSON).
      const args = command.length === 2 ? ['config', '--format', 'json'] : ['config'];
      const { stdout } = await run([...base(t), ...args], opts(t, true));
      const doc = YAML.parseDocument(stdout, { merge: true });
      if (doc.errors.length > 0) {
        throw validationError('compose printed a model the panel cannot read', [
          { path: 'compose', message: doc.errors[0]!.message },
        ]);
      }
      return doc.toJS({ maxAliasCount: 100 });
    },
    /** Build one service's image and push it to the registry its name points at. */
    async buildAndPush(run: Runner, t: ComposeTarget, service: string): Promise<void> {
      await run([...base(t), 'build', service], opts(t));
      await run([...base(t), 'push', service], opts(t));
    },
    /**
     * `docker stack deploy -c <file> --with-registry-auth --prune <stack>`: creates or updates the
     * stack's services (rolling, as each service's update_config says) and removes services that left
     * the file. Returns once the manager accepted the changes, not when they converged.
     */
    deploy: (run: Runner, input: { stack: string; file: string; cwd: string }) =>
      run(
        [
          'docker',
          'stack',
          'deploy',
          '--compose-file',
          input.file,
          '--with-registry-auth',
          '--prune',
          input.stack,
        ],
        { cwd: input.cwd, env, timeoutMs: 10 * 60_000 },
      ),
  };
}

/** The stack commands. */
export type StackCli = ReturnType<typeof createStackCli>;
