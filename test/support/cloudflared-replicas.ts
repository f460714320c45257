import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { ReplicaAddress } from './fake-edge.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONNECTOR = path.join(ROOT, 'test/fakes/cloudflared-connector.ts');

export interface ReplicasOptions {
  count: number;
  configPath: string;
  /** `--grace-period`, a Go duration (default 5s). */
  gracePeriod?: string;
  /** FAKE_CLOUDFLARED_READY_DELAY_MS for every start (default: the connector's own, 300). */
  readyDelayMs?: number;
  /** Tunnel name or id given to `run`. */
  tunnel?: string;
  /** Extra environment for the connectors. */
  env?: Record<string, string>;
  /** How long a start may take to reach /ready 200 (default 20 s). */
  readyTimeoutMs?: number;
}

export interface ReplicaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CloudflaredReplicas {
  /** Addresses by replica index; they stay the same across restarts (give them to createFakeEdge). */
  readonly addresses: ReplicaAddress[];
  /**
   * Start replica i again (after stop) and wait for /ready 200 — or, with `{ untilReady: false }`, only until
   * it listens (its /ready still says 503 during FAKE_CLOUDFLARED_READY_DELAY_MS).
   */
  start(i: number, opts?: { untilReady?: boolean }): Promise<void>;
  /** SIGTERM replica i and wait for it to exit. */
  stop(i: number): Promise<ReplicaExit>;
  /** SIGTERM, wait for the exit, start on the same ports, wait for /ready 200. */
  restartOne(i: number): Promise<ReplicaExit>;
  /** Send a signal to replica i without waiting. */
  signal(i: number, sig: NodeJS.Signals): void;
  /** Resolves when the running process of replica i exits. */
  exited(i: number): Promise<ReplicaExit>;
  pid(i: number): number | undefined;
  /** Everything replica i wrote to stderr, across restarts. */
  logs(i: number): string;
  /** SIGKILL every replica still running and wait for the exits. */
  close(): Promise<void>;
}

interface Replica {
  child: ChildProcess | null;
  exit: Promise<ReplicaExit>;
  addr: ReplicaAddress | null;
  log: string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readyStatus(metrics: string): Promise<number> {
  try {
    const res = await fetch(`http://${metrics}/ready`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Start `count` fake connectors (test/fakes/cloudflared-connector.ts) as child processes and wait until every
 * one answers /ready 200. First starts bind port 0 (the OS picks free ports) and the bound addresses are read
 * from the connector's log; restarts reuse them, so the edge's view of the replicas never changes.
 */
export async function startCloudflaredReplicas(options: ReplicasOptions): Promise<CloudflaredReplicas> {
  const { count, configPath, gracePeriod = '5s', tunnel = 'fake-tunnel', readyTimeoutMs = 20_000 } = options;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.readyDelayMs !== undefined) env.FAKE_CLOUDFLARED_READY_DELAY_MS = String(options.readyDelayMs);
  const replicas: Replica[] = Array.from({ length: count }, () => ({
    child: null,
    exit: Promise.resolve({ code: null, signal: null }),
    addr: null,
    log: '',
  }));

  const launch = async (i: number, opts: { untilReady?: boolean } = {}) => {
    const r = replicas[i]!;
    if (r.child) throw new Error(`replica ${i} is already running`);
    const args = [
      '--import',
      'tsx',
      CONNECTOR,
      'tunnel',
      '--config',
      configPath,
      '--metrics',
      r.addr?.metrics ?? '127.0.0.1:0',
      '--grace-period',
      gracePeriod,
      '--fake-listen',
      r.addr?.listen ?? '127.0.0.1:0',
      'run',
      tunnel,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    r.child = child;
    r.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (r.child === child) r.child = null;
        resolve({ code, signal });
      }),
    );
    const startAt = r.log.length;
    child.stderr?.on('data', (d: Buffer) => {
      r.log += d.toString();
    });
    let exited = false;
    void r.exit.then(() => {
      exited = true;
    });
    const deadline = Date.now() + readyTimeoutMs;
    let addr: ReplicaAddress | null = null;
    while (!addr) {
      const out = r.log.slice(startAt);
      const listen = /Serving edge requests on (\S+)/.exec(out)?.[1];
      const metrics = /Starting metrics server on (\S+)\/metrics/.exec(out)?.[1];
      if (listen && metrics) addr = { listen, metrics };
      else if (exited || Date.now() > deadline) throw new Error(`replica ${i} did not start:\n${out}`);
      else await delay(20);
    }
    r.addr ??= addr;
    while (opts.untilReady !== false && (await readyStatus(r.addr.metrics)) !== 200) {
      if (exited || Date.now() > deadline) {
        throw new Error(`replica ${i} did not get ready:\n${r.log.slice(startAt)}`);
      }
      await delay(25);
    }
  };

  const stop = async (i: number) => {
    const r = replicas[i]!;
    r.child?.kill('SIGTERM');
    return r.exit;
  };

  try {
    await Promise.all(replicas.map((_, i) => launch(i)));
  } catch (err) {
    for (const r of replicas) r.child?.kill('SIGKILL');
    throw err;
  }
  return {
    addresses: replicas.map((r) => r.addr!),
    start: (i, opts) => launch(i, opts),
    stop,
    async restartOne(i) {
      const exit = await stop(i);
      await launch(i);
      return exit;
    },
    signal: (i, sig) => void replicas[i]!.child?.kill(sig),
    exited: (i) => replicas[i]!.exit,
    pid: (i) => replicas[i]!.child?.pid,
    logs: (i) => replicas[i]!.log,
    async close() {
      await Promise.all(
        replicas.map((r) => {
          r.child?.kill('SIGKILL');
          return r.exit;
        }),
      );
    },
  };
}
