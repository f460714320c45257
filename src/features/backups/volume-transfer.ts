import { Writable } from 'node:stream';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { managedLabels } from '../../integrations/docker/docker-labels.js';
import { helperFailed, runHelper } from '../../integrations/docker/helper-container.js';
import type { TaskContext } from '../../lib/task-context.js';

/** Label on every helper container, so a crash's leftovers can be found and removed. */
export const HELPER_LABEL = 'warp.backup-helper';

/** What moving a volume's files needs. */
export interface VolumeDeps {
  docker: DockerClient;
  image: string;
  projectId: string;
}

const labels = (projectId: string) => ({ ...managedLabels(projectId), [HELPER_LABEL]: 'true' });
const SQLITE_NAMES = ['*.db', '*.sqlite', '*.sqlite3', '*.db3'];

/** Run a helper command on volumes and fail loudly on a non-zero exit; returns its stdout. */
export async function helperCommand(
  deps: VolumeDeps,
  signal: AbortSignal,
  what: string,
  cmd: string[],
  mounts: { volume: string; target: string; readOnly: boolean }[],
): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (text.length < 1_000_000) text += chunk.toString('utf8');
      done();
    },
  });
  const result = await runHelper(deps.docker, {
    image: deps.image,
    cmd,
    mounts,
    labels: labels(deps.projectId),
    stdout,
    signal,
  });
  if (result.exitCode !== 0) throw helperFailed(what, result);
  return text;
}

/** SQLite database files in a volume (by name), relative to its root. */
export async function findSqliteFiles(
  deps: VolumeDeps,
  signal: AbortSignal,
  volume: string,
): Promise<string[]> {
  const expr = SQLITE_NAMES.flatMap((n, i) => [...(i > 0 ? ['-o'] : []), '-type', 'f', '-name', n]);
  const out = await helperCommand(
    deps,
    signal,
    `listing volume ${volume}`,
    ['find', '/data', ...expr],
    [{ volume, target: '/data', readOnly: true }],
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^\/data\//, ''));
}

/** Stream a tar of the volume's content (numeric owners) into `out`; throws when tar failed. */
export async function tarVolume(
  deps: VolumeDeps,
  volume: string,
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const result = await runHelper(deps.docker, {
    image: deps.image,
    cmd: ['tar', '-c', '--numeric-owner', '-f', '-', '-C', '/data', '.'],
    mounts: [{ volume, target: '/data', readOnly: true }],
    labels: labels(deps.projectId),
    stdout: out,
    signal,
  });
  if (result.exitCode !== 0) throw helperFailed(`tar of volume ${volume}`, result);
  if (result.bytes === 0) throw helperFailed(`tar of volume ${volume} wrote nothing;`, result);
}

/** Extract a tar from `input` into the volume (which should be empty); throws when tar failed. */
export async function untarIntoVolume(
  deps: VolumeDeps,
  volume: string,
  input: NodeJS.ReadableStream,
  signal: AbortSignal,
): Promise<void> {
  const result = await runHelper(deps.docker, {
    image: deps.image,
    cmd: ['tar', '-x', '--numeric-owner', '-f', '-', '-C', '/data'],
    mounts: [{ volume, target: '/data', readOnly: false }],
    labels: labels(deps.projectId),
    stdin: input,
    signal,
  });
  if (result.exitCode !== 0) throw helperFailed(`extracting into volume ${volume}`, result);
}

/** Replace everything in `target` with a copy of `source` (owners, modes, times and links kept). */
export async function replaceVolumeContent(
  deps: VolumeDeps,
  ctx: Pick<TaskContext, 'signal'>,
  source: string,
  target: string,
): Promise<void> {
  const mount = [{ volume: target, target: '/to', readOnly: false }];
  await helperCommand(
    deps,
    ctx.signal,
    `emptying volume ${target}`,
    ['find', '/to', '-mindepth', '1', '-maxdepth', '1', '-exec', 'rm', '-rf', '{}', '+'],
    mount,
  );
  await helperCommand(
    deps,
    ctx.signal,
    `copying into volume ${target}`,
    ['cp', '-a', '/from/.', '/to/'],
    [{ volume: source, target: '/from', readOnly: true }, ...mount],
  );
}

/** Create a volume for the project (restores into new volumes, scratch checks). */
export async function createVolume(
  docker: DockerClient,
  projectId: string,
  name: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await docker.call('create volume', (d) =>
    d.createVolume({ Name: name, Labels: { ...managedLabels(projectId), ...extra } }),
  );
}

/** Remove a volume, ignoring one that is already gone. */
export async function removeVolume(docker: DockerClient, name: string): Promise<void> {
  await docker
    .call('remove volume', (d) => d.getVolume(name).remove({ force: true }))
    .catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
    });
}
