import { upstreamError } from '../../domain/errors.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { type ExecResult, execInContainer } from '../../integrations/docker/exec-stream.js';
import type { TaskContext } from '../../lib/task-context.js';
import type { DatabaseAccess, DbCommand } from './database-engines.js';
import { createDatabaseCommand, dumpCommand, readyCommand, restoreCommand } from './database-engines.js';

const failed = (what: string, r: ExecResult) =>
  upstreamError(
    'database',
    `${what} exited with ${r.exitCode}${r.stderr ? `: ${r.stderr.split('\n').slice(-5).join(' | ').slice(0, 800)}` : ''}`,
  );

async function exec(
  docker: DockerClient,
  container: string,
  command: DbCommand,
  io: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream; signal: AbortSignal },
): Promise<ExecResult> {
  return execInContainer(docker, {
    container,
    cmd: command.cmd,
    env: command.env,
    signal: io.signal,
    ...(io.stdin ? { stdin: io.stdin } : {}),
    ...(io.stdout ? { stdout: io.stdout } : {}),
  });
}

/** Stream the service's dump (SQL text) into `out`; throws when the dump program failed or wrote nothing. */
export async function dumpDatabase(
  docker: DockerClient,
  container: string,
  access: DatabaseAccess,
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const command = dumpCommand(access);
  const r = await exec(docker, container, command, { stdout: out, signal });
  if (r.exitCode !== 0) throw failed(command.cmd[0] as string, r);
  if (r.bytes === 0) throw upstreamError('database', `${command.cmd[0]} wrote nothing`);
}

/** Load a dump from `input` into `database` of the running service. */
export async function loadDatabase(
  docker: DockerClient,
  container: string,
  access: DatabaseAccess,
  database: string,
  input: NodeJS.ReadableStream,
  signal: AbortSignal,
): Promise<void> {
  const command = restoreCommand(access, database);
  const r = await exec(docker, container, command, { stdin: input, signal });
  if (r.exitCode !== 0) throw failed(command.cmd[0] as string, r);
}

/** Create an empty database next to the service's own. */
export async function createDatabase(
  docker: DockerClient,
  container: string,
  access: DatabaseAccess,
  name: string,
  signal: AbortSignal,
): Promise<void> {
  const command = createDatabaseCommand(access, name);
  const r = await exec(docker, container, command, { signal });
  if (r.exitCode !== 0) throw failed(command.cmd[0] as string, r);
}

/** Wait until the service accepts connections (it was just started again), up to `timeoutMs`. */
export async function waitForDatabase(
  docker: DockerClient,
  ctx: Pick<TaskContext, 'signal' | 'log'>,
  container: string,
  access: DatabaseAccess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: ExecResult | null = null;
  while (Date.now() < deadline) {
    last = await exec(docker, container, readyCommand(access), { signal: ctx.signal }).catch(() => null);
    if (last?.exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw upstreamError('database', `the service did not accept connections within ${timeoutMs / 1000} s`);
}
