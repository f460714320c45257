import type { Runner } from '../../lib/task-context.js';
import type { ComposeCommand } from '../compose/compose-cli.js';

/**
 * `docker stack deploy` and the compose commands a stack deploy needs besides resolving the model
 * (building and pushing images), through the Docker CLI with the panel's DOCKER_HOST — the same
 * manager the Engine API calls go to. `extraEnv` (a per-run `DOCKER_CONFIG` with the saved registry
 * logins) goes to that run only.
 */
export function createStackCli(command: ComposeCommand, env: Record<string, string>) {
  const base = (t: { project: string; cwd: string }) => [
    ...command,
    '--project-directory',
    t.cwd,
    '-p',
    t.project,
  ];
  const opts = (cwd: string, extraEnv: Record<string, string>, timeoutMs: number) => ({
    cwd,
    env: { ...env, ...extraEnv },
    timeoutMs,
  });
  return {
    /** Build one service's image (Compose's own file lookup in the folder) and push it to its registry. */
    async buildAndPush(
      run: Runner,
      t: { project: string; cwd: string },
      service: string,
      extraEnv: Record<string, string> = {},
    ): Promise<void> {
      await run([...base(t), 'build', service], opts(t.cwd, extraEnv, 30 * 60_000));
      await run([...base(t), 'push', service], opts(t.cwd, extraEnv, 30 * 60_000));
    },
    /**
     * `docker stack deploy -c <file> --with-registry-auth --prune <stack>`: creates or updates the
     * stack's services (rolling, as each service's update_config says) and removes services that left
     * the file. Returns once the manager accepted the changes, not when they converged.
     */
    deploy: (
      run: Runner,
      input: { stack: string; file: string; cwd: string },
      extraEnv: Record<string, string> = {},
    ) =>
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
        opts(input.cwd, extraEnv, 10 * 60_000),
      ),
  };
}

/** The stack commands. */
export type StackCli = ReturnType<typeof createStackCli>;
