import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Options of an SSE stream. */
export interface SseOptions {
  /** A comment line this often keeps proxies (Cloudflare) from closing an idle stream. */
  heartbeatMs?: number;
  /** A client that lets this many bytes pile up unread is dropped with a final note. */
  maxBufferedBytes?: number;
  /** `ready()` waits until no more than this many bytes are buffered. */
  lowWaterBytes?: number;
  /** Reconnect delay suggested to EventSource clients. */
  retryMs?: number;
}

/** One open `text/event-stream` response. */
export interface SseStream {
  /** Send an event (`data` is JSON-encoded unless it is a string); false when the stream is closed. */
  send(event: string, data: unknown, id?: string | number): boolean;
  /** Send a comment line (ignored by clients). */
  comment(text: string): void;
  /** Resolves true once the client has read enough to take more, false when the stream closed. */
  ready(): Promise<boolean>;
  /** End the stream (after an optional last event). */
  close(): void;
  /** Call `fn` once when the stream closes for any reason (client gone, dropped, closed). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
  /** Aborted when the stream closes. */
  readonly signal: AbortSignal;
}

const DEFAULTS = { heartbeatMs: 15_000, maxBufferedBytes: 2 * 1024 * 1024, lowWaterBytes: 256 * 1024 };

function frame(event: string, data: unknown, id?: string | number): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const head = `${id !== undefined ? `id: ${String(id).replace(/[\r\n]/g, '')}\n` : ''}event: ${event}\n`;
  return `${head}data: ${text.replace(/\r?\n|\r/g, '\ndata: ')}\n\n`;
}

/**
 * Take over the reply and open an SSE stream: headers (request id, no proxy buffering), heartbeat
 * comments, writes coalesced per tick, and a bounded per-client buffer — a client that falls too far
 * behind gets an `event: error` note and is disconnected instead of growing memory without bound.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, options: SseOptions = {}): SseStream {
  const opts = { ...DEFAULTS, ...options };
  reply.hijack();
  const res = reply.raw;
  const controller = new AbortController();
  const closeFns: (() => void)[] = [];
  let closed = false;
  let corked = false;

  res.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders), // helmet's headers, set before the takeover
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.socket?.setNoDelay(true);

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    controller.abort();
    for (const fn of closeFns.splice(0)) fn();
  };

  const drop = () => {
    const note = frame('error', { code: 'SLOW_CLIENT', message: 'client reads too slowly; stream dropped' });
    finish();
    res.end(note);
    // The note may never be read by a stalled client: do not keep its socket forever.
    setTimeout(() => res.destroy(), 5_000).unref();
  };

  const write = (chunk: string): boolean => {
    if (closed) return false;
    if (res.writableLength > opts.maxBufferedBytes) {
      drop();
      return false;
    }
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(chunk);
    return true;
  };

  const heartbeat = setInterval(() => write(': heartbeat\n\n'), opts.heartbeatMs);
  heartbeat.unref();
  res.on('close', finish); // the client went away or the response ended
  write(`retry: ${opts.retryMs ?? 2000}\n\n`);

  return {
    send: (event, data, id) => write(frame(event, data, id)),
    comment: (text) => void write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`),
    ready() {
      if (closed) return Promise.resolve(false);
      if (res.writableLength <= opts.lowWaterBytes) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (closed || res.writableLength <= opts.lowWaterBytes) {
            res.off('drain', check);
            clearInterval(poll);
            resolve(!closed);
          }
        };
        // 'drain' fires when the buffer empties; the poll covers a partial drain and a close.
        const poll = setInterval(check, 50);
        res.on('drain', check);
        closeFns.push(check);
      });
    },
    close() {
      if (closed) return;
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
