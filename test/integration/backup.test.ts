import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { RUN_MARKER_NAME } from '../../src/cli/run-marker.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPostgresDatabase, testEngines } from '../support/databases.js';
import { captureStream } from '../support/log-capture.js';

const SECRET = 'gh-oauth-secret-7f3a9c21d4e8';
const engines = await testEngines();

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * `tsx src/cli.ts <args>` as a child process with only the given configuration in its environment;
 * tsx as an import hook, so the panel is this one process and gets signals itself.
 */
function cli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.homedir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runCli(args: string[], env: Record<string, string>) {
  const child = cli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, stdout, stderr };
}

async function openApp(env: Record<string, string>): Promise<App> {
  const app = await createApp({
    config: loadConfig(env, env.WARP_DATA_DIR),
    logger: createLogger('warn', captureStream()),
  });
  await app.http.ready();
  return app;
}

describe.each(engines)('backup and restore (%s)', (engine) => {
  const dirs: string[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    for (const drop of drops) await drop();
  });

  async function setup() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-backup-test-'));
    dirs.push(root);
    const env: Record<string, string> = {
      WARP_DATA_DIR: path.join(root, 'data'),
      WARP_LOG_LEVEL: 'warn',
      WARP_PORT: String(await freePort()),
      WARP_CLOUDFLARED_CONFIG: path.join(root, 'cloudflared', 'config.yml'),
      WARP_TUNNEL_RESTART: 'none',
      WARP_BASE_DOMAIN: 'example.test',
    };
    if (engine === 'postgres') {
      const pg = await createPostgresDatabase();
      drops.push(pg.drop);
      env.WARP_DATABASE_URL = pg.url;
    }
    return { root, env, archive: path.join(root, 'backups', 'warp.tar.gz') };
  }

  it('brings back the same projects, settings and secrets after a wipe', async () => {
    const { root, env, archive } = await setup();
    let app = await openApp(env);
    const { token } = await app.services.auth.issueLoginToken('cli');
    const login = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
    const cookie = `warp_session=${login.cookies.find((c) => c.name === 'warp_session')?.value}`;
    const write = { cookie, 'x-warp-request': '1' };
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: write,
      payload: { name: 'ops' },
    });
    const bearer = { authorization: `Bearer ${created.json().token as string}` };
    const patched = await app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: bearer,
      payload: { github: { oauthClientId: 'Iv1.backup', oauthClientSecret: SECRET } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const forward = await app.http.inject({
      method: 'POST',
      url: '/api/v1/forwards',
      headers: bearer,
      payload: { port: 18555, subdomain: 'nas', name: 'nas' },
    });
    expect(forward.statusCode, forward.body).toBe(202);
    const before = {
      projects: (await app.http.inject({ url: '/api/v1/projects', headers: bearer })).json(),
      settings: (await app.http.inject({ url: '/api/v1/settings', headers: bearer })).json(),
    };
    await app.close();

    const backup = await runCli(['backup', archive], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`backup written to ${archive}`);
    expect(backup.stdout + backup.stderr).not.toContain(SECRET);
    if (engine === 'postgres') expect(backup.stdout).toContain('pg_dump');
    // The archive holds the key file: owner-only.
    expect(fs.statSync(archive).mode & 0o077).toBe(0);
    expect(fs.existsSync(`${archive}.partial`)).toBe(false);

    // Wipe the data dir (SQLite file, key). PostgreSQL keeps its database: the archive restores the key.
    fs.rmSync(path.join(root, 'data'), { recursive: true, force: true });
    const restore = await runCli(['restore', archive], env);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restored from ${archive}`);
    expect(fs.statSync(path.join(root, 'data', 'secret.key')).mode & 0o077).toBe(0);

    app = await openApp(env);
    expect((await app.http.inject({ url: '/api/v1/projects', headers: bearer })).json()).toEqual(
      before.projects,
    );
    expect((await app.http.inject({ url: '/api/v1/settings', headers: bearer })).json()).toEqual(
      before.settings,
    );
    // The secret decrypts with the restored key.
    expect((await app.services.settings.get()).github.oauthClientSecret).toBe(SECRET);
    await app.close();
  });

  it('refuses to restore over a running panel (or start a second one), and restores once it stopped', async () => {
    const { env, archive } = await setup();
    const app = await openApp(env);
    await app.close();
    expect((await runCli(['backup', archive], env)).code).toBe(0);

    const server = cli(['serve'], env);
    let serverOut = '';
    server.stdout?.on('data', (c: Buffer) => {
      serverOut += c.toString();
    });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${env.WARP_PORT}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline || server.exitCode !== null)
          throw new Error(`serve did not start: ${serverOut}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(fs.existsSync(path.join(env.WARP_DATA_DIR as string, RUN_MARKER_NAME))).toBe(true);
      const refused = await runCli(['restore', archive], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/a panel is serving from .* stop it before restoring/);
      // A second panel on the same data refuses to start (it would interrupt the first one's jobs).
      const second = await runCli(['serve'], { ...env, WARP_PORT: String(Number(env.WARP_PORT) + 1) });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/another panel \(pid \d+, port \d+\) is serving/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('close', r)));
    }
    expect(fs.existsSync(path.join(env.WARP_DATA_DIR as string, RUN_MARKER_NAME))).toBe(false);
    const restored = await runCli(['restore', archive], env);
    expect(restored.code, restored.stderr).toBe(0);
  });
});

describe('restore checks the archive and the key', () => {
  it('refuses a WARP_SECRET_KEY that is not the key of the backup, and a foreign archive', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-backup-test-'));
    try {
      const env = {
        WARP_DATA_DIR: path.join(root, 'data'),
        WARP_LOG_LEVEL: 'warn',
        WARP_SECRET_KEY: 'a'.repeat(64),
      };
      await (await openApp(env)).close();
      const archive = path.join(root, 'b.tar.gz');
      const made = await runCli(['backup', archive], env);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout).toContain('WARP_SECRET_KEY');
      const wrong = await runCli(['restore', archive], { ...env, WARP_SECRET_KEY: 'b'.repeat(64) });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('WARP_SECRET_KEY is not the key of the backup');
      expect(wrong.stderr).not.toContain('a'.repeat(64));

      fs.writeFileSync(path.join(root, 'evil.txt'), 'x');
      const foreign = path.join(root, 'foreign.tar.gz');
      const tar = spawn('tar', ['-czf', foreign, '-C', root, 'evil.txt']);
      await new Promise((r) => tar.on('close', r));
      const bad = await runCli(['restore', foreign], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('unexpected file in backup: evil.txt');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
