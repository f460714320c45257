import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../domain/errors.js';

/** State of one container of the app being deployed. */
export interface ContainerHealth {
  name: string;
  state: string;
  restartCount: number;
  /** Docker health status when the image defines a HEALTHCHECK. */
  health?: string | null;
}

/** What the gate needs: the port to probe and a way to read the app's containers. */
export interface HealthGateOptions {
  port: number;
  host?: string;
  containers: () => Promise<ContainerHealth[]>;
  log: { info(text: string): void };
  signal?: AbortSignal;
  /** How long the app may take to answer at all. */
  timeoutMs?: number;
  /** How long it must then stay up (no restarts, still answering). */
  stableMs?: number;
  intervalMs?: number;
}

/** Resolves to the HTTP status when something answers HTTP on host:port, else null. */
export function probeHttp(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

const gateFailed = (message: string) => new AppError('UPSTREAM_ERROR', `health gate: ${message}`);

function checkStates(containers: ContainerHealth[]): void {
  if (containers.length === 0) throw gateFailed('no container of the app is running');
  for (const c of containers) {
    if (c.state !== 'running') throw gateFailed(`container ${c.name} is ${c.state}`);
    if (c.health === 'unhealthy') throw gateFailed(`container ${c.name} reports unhealthy`);
  }
}

/** The restart counts of the app's containers once it answered: the stabilisation watch compares with them. */
export type Baseline = Map<string, number>;

/**
 * The first half of the gate: the origin answers HTTP (any status) while its containers run; else
 * it fails and nothing is published. Resolves with the status and the restart counts at that moment.
 */
export async function waitForAnswer(
  opts: HealthGateOptions,
): Promise<{ status: number; baseline: Baseline }> {
  const host = opts.host ?? '127.0.0.1';
  const interval = opts.intervalMs ?? 250;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let status: number | null = null;
  while (status === null) {
    opts.signal?.throwIfAborted();
    checkStates(await opts.containers());
    status = await probeHttp(opts.port, host);
    if (status !== null) break;
    if (Date.now() > deadline) throw gateFailed(`nothing answered HTTP on ${host}:${opts.port}`);
    await sleep(interval, undefined, { signal: opts.signal });
  }
  opts.log.info(`origin answered HTTP ${status} on ${host}:${opts.port}`);
  const baseline = new Map((await opts.containers()).map((c) => [c.name, c.restartCount]));
  return { status, baseline };
}

/**
 * The second half: for `ms` the containers keep running without a restart (and still answer at the
 * end). The deploy publishes before this starts and watches afterwards ("time to live"): if the app
 * falls over in the window, the caller takes the route back.
 */
export async function watchStable(opts: HealthGateOptions, baseline: Baseline, ms: number): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const interval = opts.intervalMs ?? 250;
  const stableUntil = Date.now() + ms;
  while (Date.now() < stableUntil) {
    await sleep(Math.min(interval, Math.max(stableUntil - Date.now(), 1)), undefined, {
      signal: opts.signal,
    });
    const now = await opts.containers();
    checkStates(now);
    for (const c of now) {
      if (c.restartCount !== (baseline.get(c.name) ?? c.restartCount))
        throw gateFailed(`container ${c.name} restarted`);
    }
  }
  if ((await probeHttp(opts.port, host)) === null)
    throw gateFailed(`origin stopped answering on ${host}:${opts.port}`);
}

/**
 * The whole gate before publishing: the origin must answer HTTP (any status) and the containers must
 * stay running without restarts for a short stabilisation window; else the deploy fails.
 */
export async function runHealthGate(opts: HealthGateOptions): Promise<{ status: number }> {
  const { status, baseline } = await waitForAnswer(opts);
  await watchStable(opts, baseline, opts.stableMs ?? 3000);
  return { status };
}
