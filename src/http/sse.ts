import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Options of an SSE stream. */
export interface SseOptions {
  /** A comment line this often keeps proxies (Cloudflare) from closing an idle stream. */
  heartbeatMs?: number;
  /** A client that lets this many bytes pile up unread is dropped with a final note. */
  maxBufferedBytes?: number;
  /** `canTake()` turns false above this many buffered bytes (producers that can pause should). */
  highWaterBytes?: number;
  /** `ready()` waits until no more than this many bytes are buffered. */
  lowWaterBytes?: number;
  /** A client that reads nothing for this long while data waits for it is dropped. */
  stallTimeoutMs?: number;
  /** Reconnect delay suggested to EventSource clients. */
  retryMs?: number;
}

/** One open `text/event-stream` response. */
export interface SseStream {
  /** Send an event (`data` is JSON-encoded unless it is a string); false when the stream is closed. */
  send(event: string, data: unknown, id?: string | number): boolean;
  /** Send an event already framed by `sseFrame` (lets many streams share one serialisation). */
  sendFrame(frame: string): boolean;
  /** Send a comment line (ignored by clients). */
  comment(text: string): void;
  /** Whether the client keeps up (buffer below the high-water mark); pausable producers check this. */
  canTake(): boolean;
  /** Resolves true once the client has read enough to take more, false when the stream closed. */
  ready(): Promise<boolean>;
  /** End the stream. */
  close(): void;
  /** Call `fn` once when the stream closes for any reason (client gone, dropped, closed). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
  /** Aborted when the stream closes. */
  readonly signal: AbortSignal;
}

/** How long a frame may wait to go out with the next ones, and how many bytes go out at once anyway. */
const FLUSH_MS = 5;
const FLUSH_BYTES = 32 * 1024;

const DEFAULTS = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  stallTimeoutMs: 30_000,
  retryMs: 2000,
};

/** One SSE event as text: `id`, `event` and `data` lines (multi-line data split), blank line. */
export function sseFrame(event: string, data: unknown, id?: string | number): string {
  const head = `${id !== undefined ? `id: ${String(id).replace(/[\r\n]/g, '')}\n` : ''}event: ${event}\n`;
  // JSON.stringify escapes every line break, so only string data can need splitting into data lines.
  if (typeof data !== 'string') return `${head}data: ${JSON.stringify(data)}\n\n`;
  return `${head}data: ${data.replace(/\r?\n|\r/g, '\ndata: ')}\n\n`;
}

/**
 * Take over the reply and open an SSE stream: headers (request id, no proxy buffering), heartbeat
 * comments, frames coalesced into one write per few milliseconds, and a bounded per-client buffer — a client
 * that falls too far behind (or stalls) gets an `event: dropped` note and is disconnected instead
 * of growing memory without bound.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, options: SseOptions = {}): SseStream {
  const opts = { ...DEFAULTS, ...options };
  reply.hijack();
  const res = reply.raw;
  const controller = new AbortController();
  const closeFns: (() => void)[] = [];
  let closed = false;
  let pending: string[] = [];
  let pendingBytes = 0;
  let stalledSince: number | null = null;

  res.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders), // helmet's headers, set before the takeover
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.socket?.setNoDelay(true);

  const buffered = () => res.writableLength + pendingBytes;

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    if (flushTimer) clearTimeout(flushTimer);
    pending = [];
    pendingBytes = 0;
    controller.abort();
    for (const fn of closeFns.splice(0)) fn();
  };

  const drop = () => {
    const note = sseFrame('dropped', {
      code: 'SLOW_CLIENT',
      message: 'client reads too slowly; stream dropped (reconnect with Last-Event-ID to resume)',
    });
    finish();
    res.end(note);
    // A stalled client may never read the note: do not keep its socket forever.
    setTimeout(() => res.destroy(), 5_000).unref();
  };

  let flushTimer: NodeJS.Timeout | null = null;
  const flushPending = () => {
    flushTimer = null;
    if (closed || pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    pendingBytes = 0;
    res.write(chunk);
  };

  const write = (chunk: string): boolean => {
    if (closed) return false;
    if (buffered() > opts.maxBufferedBytes) {
      drop();
      return false;
    }
    // Frames wait up to FLUSH_MS (or until FLUSH_BYTES are pending) and go out as one socket write: a
    // producer fed by many small reads (a container's log lines arrive a few per engine chunk) would
    // otherwise cost a write — a system call, and a wake-up of the reader — for every few lines.
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= FLUSH_BYTES) {
      if (flushTimer) clearTimeout(flushTimer);
      flushPending();
    } else flushTimer ??= setTimeout(flushPending, FLUSH_MS);
    return true;
  };

  let lastBeat = Date.now();
  let lastWritten = -1;
  // One ticker for the heartbeat and the stall check: a producer that paused for this client
  // (waiting in `ready()`) cannot notice a stall itself.
  const heartbeat = setInterval(
    () => {
      const now = Date.now();
      // Stalled: data waits for this client and the socket took nothing since the last tick.
      const written = res.socket?.bytesWritten ?? 0;
      if (buffered() > opts.lowWaterBytes && written === lastWritten) {
        stalledSince ??= now;
        if (now - stalledSince > opts.stallTimeoutMs) return drop();
      } else stalledSince = null;
      lastWritten = written;
      if (now - lastBeat >= opts.heartbeatMs) {
        lastBeat = now;
        write(': heartbeat\n\n');
      }
    },
    Math.min(opts.heartbeatMs, 1000),
  );
  heartbeat.unref();
  res.on('close', finish); // the client went away or the response ended
  write(`retry: ${opts.retryMs}\n\n`);

  return {
    send: (event, data, id) => write(sseFrame(event, data, id)),
    sendFrame: write,
    comment: (text) => void write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`),
    canTake: () => !closed && buffered() <= opts.highWaterBytes,
    ready() {
      if (closed) return Promise.resolve(false);
      if (buffered() <= opts.lowWaterBytes) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (closed || buffered() <= opts.lowWaterBytes) {
            res.off('drain', check);
            clearInterval(poll);
            resolve(!closed);
          }
        };
        // 'drain' fires when the socket buffer empties; the poll covers a partial drain and a close.
        const poll = setInterval(check, 50);
        res.on('drain', check);
        closeFns.push(check);
      });
    },
    close() {
      if (closed) return;
      flushPending();
      finish();
      res.end();
    },
    onClose(fn) {
      if (closed) fn();
      else closeFns.push(fn);
    },
    get closed() {
      return closed;
    },
    signal: controller.signal,
  };
}

/** Opens SSE streams for one app and closes them all when the app closes (they would block its close). */
export function createSseOpener(app: { addHook(name: 'preClose', fn: () => Promise<void>): unknown }) {
  const open = new Set<SseStream>();
  app.addHook('preClose', async () => {
    for (const stream of [...open]) stream.close();
  });
  return (request: FastifyRequest, reply: FastifyReply, options?: SseOptions): SseStream => {
    const stream = openSse(request, reply, options);
    open.add(stream);
    stream.onClose(() => open.delete(stream));
    return stream;
  };
}
