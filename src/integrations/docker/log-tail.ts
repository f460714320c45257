import type { Readable } from 'node:stream';
import type { DockerClient } from './docker-client.js';
import { createLogParser, type LogLine } from './log-demux.js';

/** What a log tail holds at most in memory, whatever the container wrote. */
export const LOG_TAIL_BUDGET_BYTES = 10 * 1024 * 1024;

/**
 * The last `tail` lines of a container's log, read as a stream (follow until "now") so the panel never
 * holds the whole body: lines are kept in a window of at most `budgetBytes`; older ones fall out and
 * `truncated` says so.
 */
export async function readLogTail(
  docker: DockerClient,
  id: string,
  opts: { tail: number; since?: number; tty: boolean; budgetBytes?: number; timeoutMs?: number },
): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const budget = opts.budgetBytes ?? LOG_TAIL_BUDGET_BYTES;
  const api = await docker.streams();
  // dockerode buffers a non-follow log body whole; the modem's stream mode hands it over in chunks.
  const stream = await docker.call(
    'container logs',
    () =>
      new Promise<Readable>((resolve, reject) => {
        api.modem.dial(
          {
            path: `/containers/${encodeURIComponent(id)}/logs?`,
            method: 'GET',
            isStream: true,
            statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
            options: {
              follow: false,
              stdout: true,
              stderr: true,
              timestamps: true,
              tail: opts.tail,
              ...(opts.since !== undefined ? { since: opts.since } : {}),
            },
          },
          (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as Readable)),
        );
      }),
    { what: `container ${id}` },
  );

  const lines: LogLine[] = [];
  let head = 0;
  let bytes = 0;
  let truncated = false;
  const parser = createLogParser({ tty: opts.tty, timestamps: true }, (line) => {
    let size = line.text.length + 40;
    if (size > budget) {
      line.text = line.text.slice(0, budget - 40);
      size = budget;
      truncated = true;
    }
    // A line cut out of a large chunk would keep the whole chunk alive: keep a copy of its own.
    line.text = Buffer.from(line.text, 'utf8').toString('utf8');
    lines.push(line);
    bytes += size;
    while (bytes > budget && head < lines.length) {
      bytes -= (lines[head] as LogLine).text.length + 40;
      // Released now, not at the next compaction: a dropped line must not stay reachable.
      (lines as (LogLine | null)[])[head] = null;
      head++;
      truncated = true;
    }
    // Compact now and then so dropped lines are really released.
    if (head > 4096 && head * 2 > lines.length) {
      lines.splice(0, head);
      head = 0;
    }
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, opts.timeoutMs ?? 30_000);
    stream.on('data', (chunk: Buffer) => parser.push(chunk));
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  parser.end();
  return { lines: head > 0 ? lines.slice(head) : lines, truncated };
}
