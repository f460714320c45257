import http from 'node:http';

/**
 * cloudflared's metrics server answers `GET /ready` with 200 once the connector holds at least one
 * registered edge connection, 503 before that and from the moment it starts shutting down
 * (`metrics/readiness.go`). Resolves to the status, or 0 when nothing answers.
 */
export function readyStatus(metrics: string, timeoutMs = 1000): Promise<number> {
  const i = metrics.lastIndexOf(':');
  const host = metrics.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(metrics.slice(i + 1));
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/ready', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `/ready` until it says 200; false when `timeoutMs` passed first. */
export async function waitUntilReady(
  metrics: string,
  opts: { timeoutMs: number; intervalMs: number; probe?: typeof readyStatus },
): Promise<boolean> {
  const probe = opts.probe ?? readyStatus;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if ((await probe(metrics)) === 200) return true;
    if (Date.now() >= deadline) return false;
    await sleep(opts.intervalMs);
  }
}
