import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { AppError, upstreamError, validationError } from '../../domain/errors.js';
import type { DockerClient } from './docker-client.js';
import { DOCKER_UPSTREAM, hasStatus, toDomainError } from './docker-errors.js';
import { StdoutDemux } from './stream-demux.js';

/** A Docker volume name (what `docker volume create` accepts); never a host path. */
export const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** One short-lived helper container run. */
export interface HelperRun {
  image: string;
  cmd: string[];
  /** Named volumes only: `{ volume: 'data', target: '/data', readOnly: true }`. */
  mounts: { volume: string; target: string; readOnly: boolean }[];
  labels: Record<string, string>;
  /** Piped into the container's stdin, which is closed when this stream ends. */
  stdin?: NodeJS.ReadableStream;
  /** Stdout bytes (backpressure kept); not ended — the caller decides once the exit code is known. */
  stdout?: NodeJS.WritableStream;
  signal: AbortSignal;
}

/** How a helper ended. */
export interface HelperResult {
  exitCode: number;
  stderr: string;
  /** Stdout bytes passed on. */
  bytes: number;
}

/** Pull `image` when the engine does not have it (the helper image is a setting, maybe not local yet). */
export async function ensureImage(docker: DockerClient, image: string): Promise<'present' | 'pulled'> {
  const present = await docker
    .call('inspect image', (d) => d.getImage(image).inspect())
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return false;
        throw err;
      },
    );
  if (present) return 'present';
  const streams = await docker.streams();
  await new Promise<void>((resolve, reject) => {
    streams.pull(image, (err: unknown, out: NodeJS.ReadableStream) => {
      if (err) return reject(toDomainError(err, `image ${image}`));
      streams.modem.followProgress(out, (e: Error | null) => (e ? reject(toDomainError(e)) : resolve()));
    });
  });
  return 'pulled';
}

/**
 * Run `cmd` in a fresh container of `image` with named volumes mounted, streaming stdin/stdout
 * through the Engine API's attach (no host path is ever mounted, no shell on the host). The
 * container has no network and logs nowhere (a volume's tar must not land in a json log), and is
 * removed whatever happens; cancel kills it.
 */
export async function runHelper(docker: DockerClient, run: HelperRun): Promise<HelperResult> {
  for (const m of run.mounts) {
    if (!VOLUME_NAME.test(m.volume)) {
      throw validationError(`not a Docker volume name: ${JSON.stringify(m.volume)}`);
    }
  }
  const streams = await docker.streams();
  const container = await docker.call('create helper container', (d) =>
    d.createContainer({
      Image: run.image,
      Cmd: run.cmd,
      Labels: run.labels,
      Tty: false,
      OpenStdin: Boolean(run.stdin),
      StdinOnce: Boolean(run.stdin),
      AttachStdin: Boolean(run.stdin),
      AttachStdout: true,
      AttachStderr: true,
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        LogConfig: { Type: 'none', Config: {} },
        SecurityOpt: ['no-new-privileges'],
        Mounts: run.mounts.map((m) => ({
          Type: 'volume' as const,
          Source: m.volume,
          Target: m.target,
          ReadOnly: m.readOnly,
        })),
      },
    }),
  );
  const handle = streams.getContainer(container.id);
  const kill = () => void handle.kill().catch(() => {});
  run.signal.addEventListener('abort', kill, { once: true });
  try {
    return await attachAndWait(handle, run);
  } catch (err) {
    throw toDomainError(err);
  } finally {
    run.signal.removeEventListener('abort', kill);
    await handle.remove({ force: true }).catch((err: unknown) => {
      if (!hasStatus(err, 404)) throw toDomainError(err);
    });
  }
}

async function attachAndWait(handle: Docker.Container, run: HelperRun): Promise<HelperResult> {
  const attached = (await handle.attach({
    stream: true,
    stdin: Boolean(run.stdin),
    stdout: true,
    stderr: true,
    hijack: Boolean(run.stdin),
  })) as NodeJS.ReadWriteStream;
  const demux = new StdoutDemux();
  // Registered before start: nothing the container writes can be missed.
  const exited = handle.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
  const drained = forward(attached, demux, run.stdout);
  await handle.start();
  if (run.signal.aborted) throw run.signal.reason;
  if (run.stdin) {
    // A failed input must not look like a clean end to the program: kill it instead.
    run.stdin.on('error', () => void handle.kill().catch(() => {}));
    // The engine closes the container's stdin when our side of the connection half-closes.
    run.stdin.pipe(attached, { end: true });
  }
  const [{ StatusCode }] = await Promise.all([exited, drained]);
  if (run.signal.aborted) throw run.signal.reason;
  return { exitCode: StatusCode, stderr: demux.stderr.trim(), bytes: demux.bytes };
}

/**
 * Attach stream → demux → `sink` (not ended). Resolves once every stdout byte was handed to the
 * sink, so the caller may end it right after.
 */
function forward(
  attached: NodeJS.ReadableStream,
  demux: StdoutDemux,
  sink: NodeJS.WritableStream | undefined,
): Promise<void> {
  const ended = new Promise<void>((resolve, reject) => {
    demux.once('end', resolve);
    demux.once('error', reject);
  });
  if (sink) demux.pipe(sink, { end: false });
  else demux.resume();
  return Promise.all([pipeline(attached, demux), ended]).then(() => {});
}

/** Turn a helper's non-zero exit into an error naming what it did and quoting its stderr. */
export function helperFailed(what: string, result: HelperResult): AppError {
  const reason = result.stderr.split('\n').slice(-5).join(' | ').slice(0, 800);
  return upstreamError(
    DOCKER_UPSTREAM,
    `${what} exited with ${result.exitCode}${reason ? `: ${reason}` : ''}`,
  );
}
