import type { Readable } from 'node:stream';
import type { DockerClient } from '../docker/docker-client.js';
import { createLogParser, type LogLine } from '../docker/log-demux.js';

/** One line of a service's log, with the task and node that wrote it. */
export interface ServiceLogLine extends LogLine {
  service: string;
  taskId: string | null;
  nodeId: string | null;
}

/**
 * With `details=1` the engine puts the line's attributes before the text, after the timestamp:
 * `com.docker.swarm.node.id=…,com.docker.swarm.service.id=…,com.docker.swarm.task.id=… text`
 * (`WriteLogStream`; values are URL-query-escaped).
 */
const DETAILS = /^((?:[A-Za-z0-9_.-]+=[^\s,]*)(?:,[A-Za-z0-9_.-]+=[^\s,]*)*) /;

/** Split the attributes off a line read with `details=1`. */
export function splitDetails(text: string): { attrs: Record<string, string>; text: string } {
  const m = DETAILS.exec(text);
  if (!m) return { attrs: {}, text };
  const attrs: Record<string, string> = {};
  for (const pair of (m[1] as string).split(',')) {
    const i = pair.indexOf('=');
    try {
      attrs[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, ' '));
    } catch {
      attrs[pair.slice(0, i)] = pair.slice(i + 1);
    }
  }
  return { attrs, text: text.slice(m[0].length) };
}

/** Opens `GET /services/{id}/logs` as a stream (never buffered whole). */
async function open(
  docker: DockerClient,
  serviceId: string,
  options: Record<string, unknown>,
): Promise<Readable> {
  const api = await docker.streams();
  return docker.call(
    'service logs',
    () =>
      new Promise<Readable>((resolve, reject) => {
        api.modem.dial(
          {
            path: `/services/${encodeURIComponent(serviceId)}/logs?`,
            method: 'GET',
            isStream: true,
            statusCodes: {
              200: true,
              404: 'no such service',
              500: 'server error',
              503: 'not a swarm manager',
            },
            options: { stdout: true, stderr: true, timestamps: true, details: true, ...options },
          },
          (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as Readable)),
        );
      }),
    { what: `service ${serviceId}` },
  );
}

function parserFor(service: string, emit: (line: ServiceLogLine) => void) {
  return createLogParser({ tty: false, timestamps: true }, (line) => {
    const { attrs, text } = splitDetails(line.text);
    emit({
      ...line,
      text,
      service,
      taskId: attrs['com.docker.swarm.task.id'] ?? null,
      nodeId: attrs['com.docker.swarm.node.id'] ?? null,
    });
  });
}

/**
 * The last `tail` lines of each task of a service — gathered by the manager from every node that
 * ran one — at most `maxLines` kept. The engine ends the body once every task's log was read.
 */
export async function readServiceLogs(
  docker: DockerClient,
  service: { id: string; name: string },
  opts: { tail: number; maxLines?: number; timeoutMs?: number },
): Promise<{ lines: ServiceLogLine[]; truncated: boolean }> {
  const stream = await open(docker, service.id, { follow: false, tail: opts.tail });
  const max = opts.maxLines ?? 10_000;
  const lines: ServiceLogLine[] = [];
  let truncated = false;
  const parser = parserFor(service.name, (l) => {
    lines.push(l);
    if (lines.length > max) {
      lines.shift();
      truncated = true;
    }
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, opts.timeoutMs ?? 30_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.on('data', (chunk: Buffer) => parser.push(chunk));
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  parser.end();
  return { lines, truncated };
}

/** An open follow of one service's log (new tasks included: the stream covers the service). */
export interface ServiceFollow {
  pause(): void;
  resume(): void;
  close(): void;
}

/** Follow a service's log from `tail` lines back; `onEnd` runs when the engine ends the stream. */
export async function followServiceLogs(
  docker: DockerClient,
  service: { id: string; name: string },
  opts: { tail: number; onLine: (line: ServiceLogLine) => void; onEnd?: () => void },
): Promise<ServiceFollow> {
  const stream = await open(docker, service.id, { follow: true, tail: opts.tail });
  const parser = parserFor(service.name, opts.onLine);
  stream.on('data', (chunk: Buffer) => parser.push(chunk));
  const end = () => {
    parser.end();
    opts.onEnd?.();
  };
  stream.once('end', end);
  stream.once('error', end);
  return {
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    close: () => stream.destroy(),
  };
}
