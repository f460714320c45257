import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { DockerClient } from './docker-client.js';
import { watchContainerEvents } from './docker-events.js';
import { containerName } from './docker-labels.js';
import { createLogParser, type LogLine } from './log-demux.js';

/** One line of the multi-container live stream. */
export interface LiveLogLine extends LogLine {
  containerId: string;
  containerName: string;
}

/** Where live lines go; `write` returns false when the client is behind (its buffer is full). */
export interface LiveLogSink {
  write(line: LiveLogLine): boolean;
  /** Called once, the next time the client has caught up. */
  onceDrained(cb: () => void): void;
}

/** An open multi-container follow. */
export interface LiveLogs {
  /** Ids of the containers being followed now. */
  following(): string[];
  close(): void;
}

interface Follower {
  name: string;
  stream: Readable | null;
}

/**
 * Follow the logs of every running container that `match`es, and of matching containers that start
 * later (engine `start` events; lines since the start are included). Back-pressure: when the sink
 * reports a full buffer every engine stream is paused until it drains, so a slow client holds at
 * most one chunk per container in memory; the engine keeps the rest in its log files.
 */
export async function openLiveLogs(opts: {
  docker: DockerClient;
  log: Logger;
  match: (c: Docker.ContainerInfo) => boolean | Promise<boolean>;
  sink: LiveLogSink;
  /** Lines of history per already-running container (0 = only new lines). */
  tail: number;
}): Promise<LiveLogs> {
  const { docker, sink } = opts;
  const followers = new Map<string, Follower>();
  let paused = false;
  let closed = false;

  function pauseAll() {
    if (paused) return;
    paused = true;
    for (const f of followers.values()) f.stream?.pause();
    sink.onceDrained(() => {
      paused = false;
      if (!closed) for (const f of followers.values()) f.stream?.resume();
    });
  }

  async function attach(summary: Docker.ContainerInfo, from: { tail?: number; since?: number }) {
    const id = summary.Id;
    if (closed || followers.has(id) || !(await opts.match(summary))) return;
    const follower: Follower = { name: containerName(summary.Names), stream: null };
    followers.set(id, follower);
    try {
      const d = await docker.streams();
      const container = d.getContainer(id);
      const info = await docker.call('inspect container', () => container.inspect());
      const stream = (await docker.call('follow container logs', () =>
        container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, ...from }),
      )) as Readable;
      if (closed || followers.get(id) !== follower) return void stream.destroy();
      follower.stream = stream;
      const parser = createLogParser({ tty: Boolean(info.Config?.Tty), timestamps: true }, (line) => {
        const live = {
          containerId: id,
          containerName: follower.name,
          ts: line.ts,
          stream: line.stream,
          text: line.text,
        };
        if (!sink.write(live)) pauseAll();
      });
      stream.on('data', (chunk: Buffer) => parser.push(chunk));
      const done = () => {
        parser.end();
        if (followers.get(id) === follower) followers.delete(id);
      };
      stream.on('end', done);
      stream.on('error', done);
      if (paused) stream.pause();
    } catch (err) {
      if (followers.get(id) === follower) followers.delete(id);
      opts.log.debug({ err, containerId: id }, 'live logs: could not follow container');
    }
  }

  // Subscribe before listing, so a container that starts in between is not missed.
  const stopEvents = await watchContainerEvents(docker, {
    onEvent: (e) => {
      void (async () => {
        const [summary] = await docker
          .call('list containers', (d) => d.listContainers({ all: true, filters: { id: [e.Actor.ID] } }))
          .catch(() => []);
        if (summary) await attach(summary, { since: e.time });
      })();
    },
  });
  const running = await docker
    .call('list containers', (d) => d.listContainers({ all: false }))
    .catch((err) => {
      stopEvents();
      throw err;
    });
  await Promise.all(running.map((c) => attach(c, { tail: opts.tail })));

  return {
    following: () => [...followers.keys()],
    close() {
      closed = true;
      stopEvents();
      for (const f of followers.values()) f.stream?.destroy();
      followers.clear();
    },
  };
}
