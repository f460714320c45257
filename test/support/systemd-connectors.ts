import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ReplicaAddress } from './fake-edge.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONNECTOR = path.join(ROOT, 'test/fakes/cloudflared-connector.ts');
const SYSTEMCTL = path.join(ROOT, 'test/fakes/systemctl');
/** The fake systemctl's state dir as the panel's children see it (they get a minimal environment). */
const STATE_DIR = '/tmp/warp-fake-systemctl';

export interface SystemdConnectors {
  /** Unit names, `<prefix>@1`, `<prefix>@2`, … (the setting's `replicas[].target`). */
  units: string[];
  /** Where each connector serves edge requests and its metrics (give them to createFakeEdge). */
  addresses: ReplicaAddress[];
  /** The `tunnel.restart.replicas` setting for these units. */
  replicas: { target: string; metrics: string }[];
  /** How many times the panel (or anyone) restarted unit i. */
  restarts(i: number): number;
  /** The connector's output (every start of unit i). */
  logs(i: number): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function systemctl(verb: string, unit: string): void {
  const res = spawnSync(SYSTEMCTL, [verb, unit], { encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) throw new Error(`fake systemctl ${verb} ${unit}: ${res.stderr}`);
}

async function waitReady(metrics: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://${metrics}/ready`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`connector at ${metrics} did not get ready`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * `count` fake cloudflared connectors run as the systemd units `<prefix>@1..N` of the fake systemctl
 * (test/fakes/systemctl with `<unit>.exec.json`), so the panel's real systemd restart path — `systemctl
 * restart <unit>`, `is-active`, then `/ready` on the replica's metrics address — really stops a
 * connector (it drains for `--grace-period`) and starts a new one on the same ports.
 */
export async function startSystemdConnectors(opts: {
  count: number;
  configPath: string;
  prefix: string;
  gracePeriod?: string;
  readyDelayMs?: number;
}): Promise<SystemdConnectors> {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const units = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}@${i + 1}`);
  const addresses: ReplicaAddress[] = [];
  for (const unit of units) {
    for (const ext of ['json', 'calls.jsonl', 'pid', 'log'])
      fs.rmSync(path.join(STATE_DIR, `${unit}.${ext}`), { force: true });
    const address = {
      listen: `127.0.0.1:${await freePort()}`,
      metrics: `127.0.0.1:${await freePort()}`,
    };
    addresses.push(address);
    const argv = [
      process.execPath,
      '--import',
      'tsx',
      CONNECTOR,
      'tunnel',
      '--config',
      opts.configPath,
      '--metrics',
      address.metrics,
      '--grace-period',
      opts.gracePeriod ?? '5s',
      '--fake-listen',
      address.listen,
      'run',
      'fake-tunnel',
    ];
    const env =
      opts.readyDelayMs === undefined ? {} : { FAKE_CLOUDFLARED_READY_DELAY_MS: String(opts.readyDelayMs) };
    fs.writeFileSync(path.join(STATE_DIR, `${unit}.exec.json`), JSON.stringify({ argv, cwd: ROOT, env }));
    systemctl('start', unit);
  }
  await Promise.all(addresses.map((a) => waitReady(a.metrics, 30_000)));
  const read = (file: string) => {
    try {
      return fs.readFileSync(path.join(STATE_DIR, file), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    units,
    addresses,
    replicas: units.map((target, i) => ({ target, metrics: addresses[i]!.metrics })),
    restarts: (i) =>
      read(`${units[i]}.calls.jsonl`)
        .split('\n')
        .filter((l) => l.includes('"restart"')).length,
    logs: (i) => read(`${units[i]}.log`),
    async close() {
      for (const unit of units) {
        try {
          systemctl('stop', unit);
        } catch {
          // already gone
        }
        for (const ext of ['exec.json', 'json', 'calls.jsonl', 'pid', 'log']) {
          fs.rmSync(path.join(STATE_DIR, `${unit}.${ext}`), { force: true });
        }
      }
    },
  };
}
