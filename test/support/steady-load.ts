import http from 'node:http';

export interface SteadyLoadOptions {
  /** Where to send, e.g. the fake edge's url plus a path: http://127.0.0.1:41234/health */
  url: string;
  /** Host header (the public hostname). */
  host: string;
  /** Requests started per second (default 50). */
  rate?: number;
  /** Stop by itself after this long; otherwise run until stop(). */
  durationMs?: number;
  /** A request still unanswered after this long fails as `timeout` (default 10 s). */
  timeoutMs?: number;
  /** At most this many requests in flight; a tick that would exceed it is counted as `skipped` (default 100). */
  maxInFlight?: number;
  method?: string;
  /** When given, a 2xx response whose body differs fails as `body`. */
  expectBody?: string;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** Ticks not sent because maxInFlight requests were pending. */
  skipped: number;
  /** Failure reason → count: `status:530`, `error:ECONNRESET`, `aborted` (body cut short), `timeout`, `body`. */
  failures: Record<string, number>;
  /** Response status → count, for every response that arrived. */
  statuses: Record<number, number>;
}

export interface SteadyLoad {
  /** The counts so far. */
  snapshot(): LoadResult;
  /** Stop sending, wait for the requests in flight, return the counts. */
  stop(): Promise<LoadResult>;
  /** Resolves when the load ends (durationMs elapsed, or stop()). */
  done: Promise<LoadResult>;
}

/**
 * Send requests at a fixed, bounded rate (one every 1000/rate ms; after a stall it goes on from
 * there rather than bursting to catch up) and
 * classify each: ok = a 2xx status with the whole body read (and equal to `expectBody` if given); every other
 * outcome is a failure, counted by reason. Each request uses its own TCP connection.
 */
export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const { url, host, rate = 50, durationMs, timeoutMs = 10_000, maxInFlight = 100, method = 'GET' } = options;
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, skipped: 0, failures: {}, statuses: {} };
  const pending = new Set<Promise<void>>();
  const interval = 1000 / rate;
  const started = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let resolveDone!: (r: LoadResult) => void;
  const done = new Promise<LoadResult>((r) => {
    resolveDone = r;
  });

  const fail = (reason: string) => {
    result.failed++;
    result.failures[reason] = (result.failures[reason] ?? 0) + 1;
  };

  const one = () =>
    new Promise<void>((resolve) => {
      result.sent++;
      let settled = false;
      const settle = (reason: string | null) => {
        if (settled) return;
        settled = true;
        if (reason === null) result.ok++;
        else fail(reason);
        resolve();
      };
      const req = http.request(
        url,
        { method, headers: { host }, agent: false, timeout: timeoutMs },
        (res) => {
          const status = res.statusCode ?? 0;
          result.statuses[status] = (result.statuses[status] ?? 0) + 1;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('aborted', () => settle('aborted'));
          res.once('error', () => settle('aborted'));
          res.once('end', () => {
            if (status < 200 || status > 299) settle(`status:${status}`);
            else if (
              options.expectBody !== undefined &&
              Buffer.concat(chunks).toString() !== options.expectBody
            ) {
              settle('body');
            } else settle(null);
          });
        },
      );
      req.once('timeout', () => {
        settle('timeout');
        req.destroy();
      });
      req.once('error', (err: NodeJS.ErrnoException) => settle(`error:${err.code ?? err.message}`));
      req.end();
    });

  const finish = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await Promise.all(pending);
    const snapshot = structuredClone(result);
    resolveDone(snapshot);
    return snapshot;
  };

  let nextAt = started;
  const schedule = () => {
    if (stopped) return;
    if (durationMs !== undefined && Date.now() - started >= durationMs) {
      void finish();
      return;
    }
    if (pending.size >= maxInFlight) result.skipped++;
    else {
      const p = one();
      pending.add(p);
      void p.then(() => pending.delete(p));
    }
    // After a stall, go on from now: never a burst to catch up.
    nextAt = Math.max(nextAt + interval, Date.now());
    timer = setTimeout(schedule, nextAt - Date.now());
  };
  schedule();

  return {
    snapshot: () => structuredClone(result),
    stop: () => (stopped ? done : finish()),
    done,
  };
}
