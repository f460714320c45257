import { upstreamError } from '../../domain/errors.js';
import { readyStatus, waitUntilReady } from './cloudflared-ready.js';
import type { TunnelRestarter } from './tunnel-restarter.js';

/** One replica of the tunnel: how to restart it and where its metrics server answers `/ready`. */
export interface Replica {
  restarter: TunnelRestarter;
  /** `host:port` of `--metrics`; null: only the restarter's own check (unit active, container running). */
  metrics: string | null;
}

/** Timings of a rolling restart (tests shorten them). */
export interface RollingOptions {
  /** How long a restarted replica may take to answer `/ready` 200 (default 60 s). */
  readyTimeoutMs?: number;
  intervalMs?: number;
  /**
   * After a replica is ready again, before the next one stops: the edge learns of the registered
   * connections in a moment, not at once (default 1 s).
   */
  handoverMs?: number;
  probe?: typeof readyStatus;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Restart every replica of one tunnel one at a time: restart one, wait until its `/ready` answers 200
 * (it holds edge connections again), then the next. While one restarts the others keep serving, and
 * cloudflared's `--grace-period` lets the requests in flight on the stopping one finish, so a config
 * change drops nothing. Before a replica is stopped, another one must be ready (waited for): the panel
 * never takes down the last one that serves, unless none is ready anyway (then it says so).
 */
export function createRollingRestarter(replicas: Replica[], opts: RollingOptions = {}): TunnelRestarter {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 250;
  const handoverMs = opts.handoverMs ?? 1_000;
  const probe = opts.probe ?? readyStatus;
  const names = replicas.map((r) => r.restarter.describe.replace(/^(systemctl|docker) restart /, ''));
  const verb = replicas[0]?.restarter.describe.replace(/ restart .*$/, ' restart') ?? 'restart';
  return {
    describe: `rolling restart of ${replicas.length} replicas (${verb} ${names.join(', then ')}; each back on /ready before the next)`,
    async restart(progress = () => {}) {
      for (const [i, replica] of replicas.entries()) {
        const others = replicas.filter((r, j) => j !== i && r.metrics !== null);
        if (others.length > 0) {
          const anyReady = async () =>
            (await Promise.all(others.map((o) => probe(o.metrics!)))).includes(200);
          const deadline = Date.now() + readyTimeoutMs;
          while (!(await anyReady()) && Date.now() < deadline) await sleep(intervalMs);
          if (!(await anyReady()))
            progress(`no other replica is ready: restarting ${names[i]} interrupts the tunnel`);
        }
        progress(`replica ${i + 1}/${replicas.length}: ${replica.restarter.describe}`);
        await replica.restarter.restart();
        if (replica.metrics !== null) {
          const ok = await waitUntilReady(replica.metrics, { timeoutMs: readyTimeoutMs, intervalMs, probe });
          if (!ok) {
            throw upstreamError(
              'cloudflared',
              `replica ${names[i]} did not report ready on http://${replica.metrics}/ready within ${Math.round(readyTimeoutMs / 1000)} s`,
            );
          }
          progress(`replica ${i + 1}/${replicas.length} is ready (${replica.metrics}/ready answers 200)`);
        }
        if (i < replicas.length - 1 && handoverMs > 0) await sleep(handoverMs);
      }
    },
  };
}
