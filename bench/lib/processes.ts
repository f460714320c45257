import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root (the bench runs the built panel from there). */
export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The systemd unit's and the container image's command (deploy/warp-panel.service, Dockerfile). */
export const PANEL_ARGS = ['--max-semi-space-size=2', path.join(ROOT, 'dist/src/cli.js'), 'serve'];
/** The same flags on the bare reference server. */
export const BARE_ARGS = ['--max-semi-space-size=2', path.join(ROOT, 'bench/lib/bare-server.mjs')];
/** A login token the panel accepts once (WARP_SETUP_TOKEN), so the bench can sign in. */
const SETUP_TOKEN = 'wpl_bench-setup-token-0123456789abcdef';

/** A port no one listens on now (the kernel picks it; other engineers' suites run on this host too). */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** RSS of a process in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** CPU time a process (all its threads) has run, in ms (schedstat: nanosecond precision). */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

/** A started process: its pid, and how to stop it (SIGTERM to its process group, then wait). */
export interface Started {
  child: ChildProcess;
  pid: number;
  port: number;
  /** ms from spawn to the first 200 from /healthz. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Spawn `command args` with only the given environment (plus PATH and HOME), poll
 * `http://127.0.0.1:<port>/healthz` every 5 ms, and resolve at its first 200.
 */
export async function startAndWait(
  command: string,
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Started> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), WARP_PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group: `npm start` runs the panel as a grandchild
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      // gone already
    }
    await exited;
  };
  const deadline = started + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited early: ${stderr}`);
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`${command} did not answer /healthz: ${stderr}`);
    }
    if ((await statusOf(port, '/healthz')) === 200) break;
    await sleep(5);
  }
  return { child, pid: child.pid as number, port, startMs: performance.now() - started, stop };
}

function statusOf(port: number, pathname: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

/** A fresh, empty data dir (removed by the returned function). */
export function freshDataDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The panel as users run it, on `dataDir`, signed in as its first (admin) user. */
export interface Panel extends Started {
  /** GET with the session cookie over a keep-alive connection; resolves with the body. */
  get(pathname: string, agent?: http.Agent): Promise<string>;
  /** The same, resolving with the status for any answer (a page shows a 503 too). */
  status(pathname: string, agent?: http.Agent): Promise<number>;
  /** A JSON request as the web UI sends it (cookie + `x-warp-request`); rejects on a non-2xx answer. */
  api<T = Record<string, unknown>>(method: string, pathname: string, body?: unknown): Promise<T>;
  cookie: string;
}

/** Start the built panel (the unit's command) on `dataDir` and sign in with the setup token. */
export async function startPanel(dataDir: string, env: Record<string, string> = {}): Promise<Panel> {
  const started = await startAndWait(process.execPath, PANEL_ARGS, {
    WARP_DATA_DIR: dataDir,
    WARP_LOG_LEVEL: 'warn',
    WARP_SETUP_TOKEN: SETUP_TOKEN,
    ...env,
  });
  const res = await fetch(`http://127.0.0.1:${started.port}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: SETUP_TOKEN }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (pathname: string, agent: http.Agent = keepAlive) =>
    readBody({ host: '127.0.0.1', port: started.port, path: pathname, headers: { cookie }, agent });
  const status = (pathname: string, agent: http.Agent = keepAlive) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: started.port, path: pathname, headers: { cookie }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  const api = async <T>(method: string, pathname: string, body?: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${started.port}${pathname}`, {
      method,
      headers: {
        cookie,
        'x-warp-request': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  return { ...started, cookie, get, status, api };
}

/** GET and read the whole body (status must be 2xx). */
export function readBody(options: http.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300)
            reject(new Error(`GET ${options.path}: ${res.statusCode} ${body}`));
          else resolve(body);
        });
      })
      .on('error', reject);
  });
}
