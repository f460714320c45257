import type { Readable } from 'node:stream';
import type { DockerClient } from './docker-client.js';

/** One engine event (`GET /events`), the fields the panel reads. */
export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano?: number;
}

/**
 * Subscribe to container events (`start` by default) from now on, or from `since` (epoch seconds:
 * a watcher that reconnects replays what it missed). The engine sends one JSON object per line.
 * Returns a function that closes the subscription; `onEnd` runs if the engine closes it (engine restart).
 */
export async function watchContainerEvents(
  docker: DockerClient,
  opts: {
    actions?: string[];
    since?: number;
    onEvent: (e: EngineEvent) => void;
    onEnd?: (err?: Error) => void;
  },
): Promise<() => void> {
  const d = await docker.streams();
  const stream = (await docker.call('GET /events', () =>
    d.getEvents({
      since: opts.since ?? Math.floor(Date.now() / 1000),
      filters: { type: ['container'], event: opts.actions ?? ['start'] },
    }),
  )) as Readable;
  let buffered = '';
  let closed = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl !== -1) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
      if (line === '') continue;
      try {
        opts.onEvent(JSON.parse(line) as EngineEvent);
      } catch {
        // A malformed event line is skipped; the next one still parses.
      }
    }
  });
  const ended = (err?: Error) => {
    if (closed) return;
    closed = true;
    opts.onEnd?.(err);
  };
  stream.on('end', () => ended());
  stream.on('error', (err: Error) => ended(err));
  return () => {
    closed = true;
    stream.destroy();
  };
}
