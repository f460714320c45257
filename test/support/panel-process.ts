import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A panel running as its own process (test/support/panel-child.ts). */
export interface PanelProcess {
  child: ChildProcess;
  port: number;
  base: string;
  headers: Record<string, string>;
  /** Send SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** The child's stderr so far (start-up errors). */
  stderr(): string;
  /** Id of the bench ticker job (WARP_BENCH_TICKER=1). */
  ticker: string | null;
  pid: number;
}

/** Start the panel child with `env` (PATH and HOME are passed through); resolves once it is READY. */
export function startPanel(env: Record<string, string>, timeoutMs = 60_000): Promise<PanelProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/support/panel-child.ts')],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), WARP_PORT: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const timer = setTimeout(() => reject(new Error(`panel did not start: ${err.slice(-2000)}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+) (\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const port = Number(m[1]);
      const signal = async (sig: NodeJS.Signals) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        await exited;
      };
      resolve({
        child,
        port,
        base: `http://127.0.0.1:${port}`,
        headers: { authorization: `Bearer ${m[2]}` },
        kill: () => signal('SIGKILL'),
        stop: () => signal('SIGTERM'),
        stderr: () => err,
        ticker: /TICKER (\S+)/.exec(out)?.[1] ?? null,
        pid: child.pid ?? 0,
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`panel exited early (${code}): ${err.slice(-2000)}`));
    });
  });
}

/** JSON request to a panel process (`json` is untyped: tests read what they assert). */
export async function call(
  p: PanelProcess,
  method: string,
  url: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: response bodies of many routes, checked by the assertions.
): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${p.base}${url}`, {
    method,
    headers: { ...p.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}
