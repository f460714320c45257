/**
 * A real CLI: `--help` and `--version` on every command never act, unknown flags are usage errors
 * (exit 2, usage on stderr), config errors name the variable and the accepted form, and logs are JSON
 * when nobody reads them on a terminal. Spawns the CLI as users run it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const COMMANDS = ['serve', 'login-token', 'migrate', 'backup', 'restore'];
const dirs: string[] = [];

function start(args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: os.homedir(),
      NODE_PATH: path.join(ROOT, 'node_modules'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function run(args: string[], env: Record<string, string> = {}) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-cli-'));
  dirs.push(cwd);
  const child = start(args, { WARP_DATA_DIR: path.join(cwd, 'data'), ...env }, ROOT);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(timer);
  return { code, stdout, stderr, dataDir: path.join(cwd, 'data') };
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('warp-panel CLI', () => {
  it.each(COMMANDS)('%s --help shows its usage and does nothing', async (command) => {
    const before = fs.readdirSync(ROOT);
    for (const flag of ['--help', '-h']) {
      const res = await run([command, flag]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain(`warp-panel ${command}`);
      expect(res.stdout).toContain('--help');
      // Nothing acted: no data dir (no database, no token), no server, no file named after the flag.
      expect(fs.existsSync(res.dataDir)).toBe(false);
      expect(res.stdout).not.toMatch(/wpl_|listening/);
    }
    expect(fs.readdirSync(ROOT)).toEqual(before);
  });

  it.each(COMMANDS)('%s --version prints the version and does nothing', async (command) => {
    const res = await run([command, '--version']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(VERSION);
    expect(fs.existsSync(res.dataDir)).toBe(false);
  });

  it('answers --help and --version without a command', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c);
    expect((await run(['-V'])).stdout.trim()).toBe(VERSION);
  });

  it.each([
    [['serve', '--bogus'], "serve: unknown option '--bogus'"],
    [['login-token', '--port', '1'], "login-token: unknown option '--port'"],
    [['backup'], 'backup needs <file>'],
    [['backup', 'a.tar', 'b.tar'], 'backup takes no argument "b.tar"'],
    [['frobnicate'], 'unknown command: frobnicate'],
  ])('refuses %j with exit 2 and the usage on stderr', async (args, message) => {
    const res = await run(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stderr).toContain('Usage: warp-panel');
    expect(res.stdout).toBe('');
    expect(fs.existsSync(res.dataDir)).toBe(false);
  });

  it('refuses a backup file name that looks like a flag', async () => {
    const res = await run(['backup', '--', '--help']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('looks like an option');
    expect(fs.existsSync(path.join(ROOT, '--help'))).toBe(false);
  });

  it('names a bad variable, its accepted form and the value it got', async () => {
    const res = await run(['migrate'], {
      WARP_PORT: 'abc',
      WARP_LOG_LEVEL: 'loud',
      WARP_SECRET_KEY: 'hunter2',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      "WARP_PORT must be a number from 1 to 65535 (0 picks any free port) (got 'abc')",
    );
    expect(res.stderr).toContain(
      "WARP_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got 'loud')",
    );
    // A secret's value is never repeated back.
    expect(res.stderr).toContain(
      'WARP_SECRET_KEY must be 32 bytes as 64 hex characters or base64 (got a value of 7 characters)',
    );
    expect(res.stderr).not.toContain('hunter2');
  });

  it('logs JSON lines when stdout is not a terminal, and pretty lines when asked', async () => {
    const free = async () => {
      const s = net.createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const { port } = s.address() as net.AddressInfo;
      await new Promise((r) => s.close(r));
      return port;
    };
    for (const format of ['auto', 'pretty'] as const) {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-cli-serve-'));
      dirs.push(cwd);
      const child = start(
        ['serve'],
        { WARP_DATA_DIR: path.join(cwd, 'data'), WARP_PORT: String(await free()), WARP_LOG_FORMAT: format },
        ROOT,
      );
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line: ${out}`)), 30_000);
        child.stdout?.on('data', (c: Buffer) => {
          out += c.toString();
          if (/warp panel listening/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
      const line = out.split('\n').find((l) => l.includes('warp panel listening'))!;
      if (format === 'auto') {
        expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'warp panel listening' });
      } else {
        expect(() => JSON.parse(line)).toThrow();
        expect(line).toMatch(/INFO.*warp panel listening/);
      }
    }
  });

  it('serve answers first and starts its watches after, and a SIGTERM right after listen stops it gracefully', async () => {
    const free = async () => {
      const srv = net.createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as net.AddressInfo;
      await new Promise((r) => srv.close(r));
      return port;
    };
    const token = 'wpl_cli-test-setup-token-0123456789abcdef';
    const serve = async () => {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-cli-serve-'));
      dirs.push(cwd);
      const port = await free();
      const child = start(
        ['serve'],
        { WARP_DATA_DIR: path.join(cwd, 'data'), WARP_PORT: String(port), WARP_SETUP_TOKEN: token },
        ROOT,
      );
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const closed = new Promise<{ code: number | null; signal: string | null }>((r) =>
        child.on('close', (code, signal) => r({ code, signal })),
      );
      for (let i = 0; !/warp panel listening/.test(out); i++) {
        if (i > 600) throw new Error(`serve did not listen: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return { child, port, closed, log: () => out };
    };

    // Stopped before its watches started: the graceful path all the same (exit 0, "stopped").
    const early = await serve();
    early.child.kill('SIGTERM');
    expect(await early.closed).toEqual({ code: 0, signal: null });
    expect(early.log()).toContain('"msg":"stopped"');

    // Left running: the watches start after listen — the metrics sampler stores the host's first sample.
    const late = await serve();
    try {
      const base = `http://127.0.0.1:${late.port}`;
      const login = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      let points = 0;
      for (let i = 0; i < 150 && points === 0; i++) {
        const res = await fetch(`${base}/api/v1/metrics?scope=host&from=${Date.now() - 60_000}`, {
          headers: { cookie },
        });
        const body = (await res.json()) as { series: { points: unknown[] }[] };
        points = body.series.reduce((n, s) => n + s.points.length, 0);
        if (points === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(points).toBeGreaterThan(0);
    } finally {
      late.child.kill('SIGTERM');
    }
    expect(await late.closed).toEqual({ code: 0, signal: null });
  });
});
