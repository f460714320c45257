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

/**
 * Before publishing: the origin must answer HTTP (any status) and the containers must stay running
 * without restarts for a short stabilisation window; else the deploy fails and nothing is published.
 */
export async function runHealthGate(opts: HealthGateOptions): Promise<{ status: number }> {
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
  opts.log.info(
    `origin answered HTTP ${status} on ${host}:${opts.port}; watching for ${opts.stableMs ?? 3000} ms`,
  );
  const baseline = new Map((await opts.containers()).map((c) => [c.name, c.restartCount]));
  const stableUntil = Date.now() + (opts.stableMs ?? 3000);
  while (Date.now() < stableUntil) {
    await sleep(interval, undefined, { signal: opts.signal });
    const now = await opts.containers();
    checkStates(now);
    for (const c of now) {
      if (c.restartCount !== (baseline.get(c.name) ?? c.restartCount))
        throw gateFailed(`container ${c.name} restarted`);
    }
  }
  const final = await probeHttp(opts.port, host);
  if (final === null) throw gateFailed(`origin stopped answering on ${host}:${opts.port}`);
  return { status: final };
}
