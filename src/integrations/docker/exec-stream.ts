import type { DockerClient } from './docker-client.js';
import { toDomainError } from './docker-errors.js';
import { StdoutDemux } from './stream-demux.js';

/** A program run inside a running container (`docker exec` through the Engine API). */
export interface ExecRun {
  container: string;
  cmd: string[];
  /** Environment of the program only (credentials go here, never into argv). */
  env?: Record<string, string>;
  user?: string;
  /** Piped into the program's stdin, closed when this stream ends. */
  stdin?: NodeJS.ReadableStream;
  /** Stdout bytes (backpressure kept); not ended. Without it stdout is collected (up to 1 MiB). */
  stdout?: NodeJS.WritableStream;
  signal: AbortSignal;
}

/** How the program ended. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  bytes: number;
}

const COLLECT_MAX = 1024 * 1024;

/**
 * Run `cmd` in `container` and stream its stdin/stdout. The exit code comes from the exec's inspect
 * once the stream ended. Cancel closes the connection (the program sees its stdout go away).
 */
export async function execInContainer(docker: DockerClient, run: ExecRun): Promise<ExecResult> {
  const streams = await docker.streams();
  try {
    const exec = await streams.getContainer(run.container).exec({
      Cmd: run.cmd,
      Env: Object.entries(run.env ?? {}).map(([k, v]) => `${k}=${v}`),
      AttachStdin: Boolean(run.stdin),
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(run.user ? { User: run.user } : {}),
    });
    const stream = (await exec.start({
      hijack: true,
      stdin: Boolean(run.stdin),
    })) as NodeJS.ReadWriteStream & {
      destroy(err?: Error): void;
    };
    const abort = () => stream.destroy(new Error('canceled'));
    run.signal.addEventListener('abort', abort, { once: true });
    const demux = new StdoutDemux();
    let collected = '';
    try {
      const done = new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        demux.once('error', reject);
        demux.once('end', resolve);
      });
      stream.pipe(demux);
      if (run.stdout) demux.pipe(run.stdout, { end: false });
      else
        demux.on('data', (chunk: Buffer) => {
          if (collected.length < COLLECT_MAX) collected += chunk.toString('utf8');
        });
      if (run.stdin) {
        run.stdin.on('error', () => stream.destroy(new Error('input failed')));
        run.stdin.pipe(stream, { end: true });
      }
      await done;
    } finally {
      run.signal.removeEventListener('abort', abort);
    }
    if (run.signal.aborted) throw run.signal.reason;
    // The exit code is set a moment after the stream closed.
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) {
        return {
          exitCode: info.ExitCode,
          stdout: collected,
          stderr: demux.stderr.trim(),
          bytes: demux.bytes,
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { exitCode: -1, stdout: collected, stderr: 'exit code unknown', bytes: demux.bytes };
  } catch (err) {
    if (run.signal.aborted) throw run.signal.reason;
    throw toDomainError(err);
  }
}
