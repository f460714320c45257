import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Cloudflare edge, in-process, in front of fake connectors (test/fakes/cloudflared-connector.ts).
 *
 * Exactly what it does:
 * - Listens on 127.0.0.1, on a free port. Every `pollIntervalMs` (50) it GETs each replica's `/ready` (1 s
 *   timeout, one poll per replica at a time); a replica is *ready* while its last answer was 200.
 * - Reads the whole request body first (Cloudflare buffers uploads; over `maxBodyBytes` → 413), then forwards
 *   method, URL and headers (Host kept; hop-by-hop headers dropped; `cf-connecting-ip`, `x-forwarded-for`,
 *   `x-forwarded-proto: https` and `cf-ray` added) to the next ready replica, round-robin, on a new TCP
 *   connection. The response (status, headers, body) streams back as it arrives.
 * - The real edge learns of a connector when it registers and of its leaving when it unregisters; polling
 *   lags behind that, so when no replica is marked ready every replica's `/ready` is asked once more right
 *   away before giving up, and the retry below covers a replica that has just started shutting down.
 * - Retried ONCE, on another ready replica, are only requests that certainly reached no origin: the connection
 *   was refused (connector not listening), or the connector answered `x-fake-cloudflared: unregistered` (it is
 *   shutting down; the real edge would not have sent the request there). Any other failure before the first
 *   response byte (reset, hang-up: the request may have been proxied already) is not replayed → 502
 *   (`x-fake-edge-error: replica-failed`), and neither is a failed retry, nor a retryable failure with no other
 *   replica (`replica-unreachable`). No ready replica at all → 530 "error code: 1033" (what Cloudflare answers
 *   for a tunnel without a connector), `x-fake-edge-error: no-ready-replica`. Any failure marks that replica
 *   not ready until a poll says 200 again.
 * - A connector that fails after the response has started: the eyeball connection is destroyed
 *   (`midStreamAborts`).
 * Not modelled: timeouts (524), WebSocket upgrades, caching, colo affinity.
 */
export interface ReplicaAddress {
  /** host:port the connector serves edge requests on (its fake-only `--fake-listen`). */
  listen: string;
  /** host:port of its metrics server (`--metrics`). */
  metrics: string;
}

export interface FakeEdgeOptions {
  replicas: ReplicaAddress[];
  pollIntervalMs?: number;
  maxBodyBytes?: number;
}

export interface FakeEdgeStats {
  requests: number;
  /** Per replica: requests sent to it, first attempts and retries. */
  forwarded: number[];
  /** Per replica: connections refused, or `unregistered` answers (both retried). */
  refused: number[];
  /** Per replica: other failures before any response byte (not retried). */
  connectionErrors: number[];
  retries: number;
  /** 530: no replica was ready. */
  noReadyReplica: number;
  /** 502: refused, and the retry failed too or there was no other replica. */
  unreachable: number;
  /** 502: a failure that may have reached an origin, not replayed. */
  replicaFailed: number;
  midStreamAborts: number;
  /** Responses sent to eyeballs, by status (including the edge's own 502/530/413). */
  statuses: Record<number, number>;
}

export interface FakeEdge {
  /** e.g. http://127.0.0.1:41234 — send requests here with the public hostname in Host. */
  url: string;
  port: number;
  /** Indexes of the replicas currently considered ready. */
  readyReplicas(): number[];
  /** Resolve once at least `count` replicas are considered ready. */
  waitForReady(count: number, timeoutMs?: number): Promise<void>;
  stats(): FakeEdgeStats;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function split(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

function probe(metrics: string): Promise<boolean> {
  const { host, port } = split(metrics);
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/ready', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

export async function createFakeEdge(options: FakeEdgeOptions): Promise<FakeEdge> {
  const { replicas, pollIntervalMs = 50, maxBodyBytes = 100 * 1024 * 1024 } = options;
  const ready = replicas.map(() => false);
  const polling = replicas.map(() => false);
  const stats: FakeEdgeStats = {
    requests: 0,
    forwarded: replicas.map(() => 0),
    refused: replicas.map(() => 0),
    connectionErrors: replicas.map(() => 0),
    retries: 0,
    noReadyReplica: 0,
    unreachable: 0,
    replicaFailed: 0,
    midStreamAborts: 0,
    statuses: {},
  };
  let next = 0;
  let closed = false;

  const poll = async (i: number) => {
    if (polling[i]) return;
    polling[i] = true;
    const ok = await probe(replicas[i]!.metrics);
    polling[i] = false;
    if (!closed) ready[i] = ok;
  };
  const timer = setInterval(() => replicas.forEach((_, i) => void poll(i)), pollIntervalMs);

  /** The next ready replica after the round-robin cursor, other than `except`; asks again if none is ready. */
  const pick = async (except: number | null): Promise<number | null> => {
    const choose = () => {
      for (let k = 0; k < replicas.length; k++) {
        const i = (next + k) % replicas.length;
        if (i !== except && ready[i]) {
          next = i + 1;
          return i;
        }
      }
      return null;
    };
    const chosen = choose();
    if (chosen !== null) return chosen;
    await Promise.all(
      replicas.map(async (r, i) => {
        if (i !== except && (await probe(r.metrics)) && !closed) ready[i] = true;
      }),
    );
    return choose();
  };

  const reply = (res: http.ServerResponse, status: number, reason: string, body: string) => {
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    res.writeHead(status, { 'content-type': 'text/plain', 'x-fake-edge-error': reason });
    res.end(body);
  };

  type Outcome = 'done' | 'retryable' | 'failed';
  const forward = (i: number, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) =>
    new Promise<Outcome>((settle) => {
      let settled = false;
      const resolve = (o: Outcome) => {
        settled = true;
        settle(o);
      };
      stats.forwarded[i]!++;
      const { host, port } = split(replicas[i]!.listen);
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      const client = req.socket.remoteAddress ?? '127.0.0.1';
      headers['cf-connecting-ip'] = client;
      headers['x-forwarded-for'] = req.headers['x-forwarded-for']
        ? `${req.headers['x-forwarded-for']}, ${client}`
        : client;
      headers['x-forwarded-proto'] = 'https';
      headers['cf-ray'] = `${Math.random().toString(16).slice(2, 18).padEnd(16, '0')}-FAKE`;
      headers['content-length'] = body.length;
      const up = http.request(
        { host, port, method: req.method, path: req.url, headers, agent: false },
        (upRes) => {
          if (upRes.headers['x-fake-cloudflared'] === 'unregistered') {
            upRes.resume();
            stats.refused[i]!++;
            ready[i] = false;
            resolve('retryable');
            return;
          }
          const out: http.OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(upRes.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
          const status = upRes.statusCode ?? 502;
          stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
          res.writeHead(status, out);
          upRes.pipe(res);
          const abort = () => {
            if (res.writableFinished) return;
            stats.midStreamAborts++;
            res.destroy();
          };
          upRes.once('aborted', abort);
          upRes.once('error', abort);
          res.once('close', () => {
            upRes.destroy();
            resolve('done');
          });
        },
      );
      up.once('error', (err: NodeJS.ErrnoException) => {
        if (settled || res.headersSent) return; // the response's abort handles it
        ready[i] = false;
        if (err.code === 'ECONNREFUSED') {
          stats.refused[i]!++;
          resolve('retryable');
        } else {
          stats.connectionErrors[i]!++;
          resolve('failed');
        }
      });
      up.end(body);
    });

  const server = http.createServer(async (req, res) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBodyBytes) {
          reply(res, 413, 'body-too-large', 'error code: 413\n');
          return;
        }
        chunks.push(chunk);
      }
    } catch {
      return; // the eyeball went away
    }
    const body = Buffer.concat(chunks);
    const first = await pick(null);
    if (first === null) {
      stats.noReadyReplica++;
      reply(res, 530, 'no-ready-replica', 'error code: 1033\n');
      return;
    }
    const outcome = await forward(first, req, body, res);
    if (outcome === 'done') return;
    if (outcome === 'failed') {
      stats.replicaFailed++;
      reply(res, 502, 'replica-failed', 'error code: 502\n');
      return;
    }
    const second = await pick(first);
    if (second !== null) {
      stats.retries++;
      const retried = await forward(second, req, body, res);
      if (retried === 'done') return;
      if (retried === 'failed') {
        stats.replicaFailed++;
        reply(res, 502, 'replica-failed', 'error code: 502\n');
        return;
      }
    }
    stats.unreachable++;
    reply(res, 502, 'replica-unreachable', 'error code: 502\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await Promise.all(replicas.map((_, i) => poll(i)));

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    readyReplicas: () => ready.flatMap((r, i) => (r ? [i] : [])),
    async waitForReady(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (ready.filter(Boolean).length < count) {
        if (Date.now() > deadline)
          throw new Error(`fake edge: ${ready.filter(Boolean).length}/${count} replicas ready`);
        await new Promise((r) => setTimeout(r, pollIntervalMs));
      }
    },
    stats: () => structuredClone(stats),
    async close() {
      closed = true;
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
