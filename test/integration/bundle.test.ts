/**
 * The built server as users run it: `scripts/build-server.mjs` bundles src/cli.ts into one script run by
 * the dist/src/cli.js loader with a code cache, and the parts that stay outside (native addons, SDKs,
 * Swagger UI, dockerode's SSH and BuildKit parts) are loaded from node_modules at run time. The other
 * suites run the sources under tsx, so this one starts the bundle itself and goes through every part that
 * is loaded on first use.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_DOCKER_HOST,
} from '../support/docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'wpl_bundle-test-setup-token-0123456789';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe.skipIf(await skipWithoutDocker())('the bundled server (dist/src/cli.js)', () => {
  // An installed panel's layout (package.json, dist/, node_modules/) outside the checkout, whose listing
  // other suites compare: node_modules is the checkout's, linked.
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bundle-install-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bundle-'));
  const run = newRunId();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: os.homedir(),
    WARP_DATA_DIR: dataDir,
    WARP_LOG_LEVEL: 'warn',
    WARP_SETUP_TOKEN: TOKEN,
    DOCKER_HOST: TEST_DOCKER_HOST,
  };
  const cli = path.join(out, 'dist/src/cli.js');
  let server: ReturnType<typeof spawn> | null = null;
  let base = '';
  let cookie = '';

  const get = async (url: string) => {
    const res = await fetch(`${base}${url}`, { headers: { cookie } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [
      path.join(ROOT, 'scripts/build-server.mjs'),
      '--outdir',
      path.dirname(cli),
    ]);
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
    const docker = await requireDocker();
    await ensureTestImage(docker);
    await createTestContainer(docker, run, {
      name: `${run}-echo`,
      cmd: ['sh', '-c', 'echo bundled hello; sleep 3600'],
      labels: { 'warp.managed': 'true' },
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--max-semi-space-size=2', cli, 'serve'], {
      env: { ...env, WARP_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    server.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 600 || server.exitCode !== null) throw new Error(`the bundle did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const login = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  }, 120_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server?.once('exit', r));
    }
    const docker = await requireDocker();
    await cleanupDocker(docker, run);
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the loader, one script and its code caches, with no dependency inlined that must stay installed', () => {
    const dir = path.dirname(cli);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'cli.js',
      'package.json',
      'server.cache',
      'server.cjs',
      'server.plain.cache',
    ]);
    const code = fs.readFileSync(path.join(dir, 'server.cjs'), 'utf8');
    // Native addons and the lazily required dockerode parts are required by name, not inlined.
    for (const name of ['better-sqlite3', 'dockerode/lib/session.js', 'docker-modem/lib/ssh.js'])
      expect(code).toContain(`"${name}"`);
    expect(code).not.toMatch(/poly1305|@grpc\/grpc-js\/build/);
    // V8 takes each cache the build's warm-up starts wrote: under the unit's and the image's flags, and none.
    const probe = `const fs = require('node:fs'), vm = require('node:vm');
      const s = new vm.Script(fs.readFileSync(process.argv[1], 'utf8'), { filename: process.argv[1], cachedData: fs.readFileSync(process.argv[2]) });
      process.stdout.write(String(s.cachedDataRejected));`;
    const rejected = (flags: string[], cache: string) =>
      execFileSync(
        process.execPath,
        [...flags, '-e', probe, path.join(dir, 'server.cjs'), path.join(dir, cache)],
        { encoding: 'utf8' },
      );
    expect(rejected(['--max-semi-space-size=2'], 'server.cache')).toBe('false');
    expect(rejected([], 'server.plain.cache')).toBe('false');
    // The other way round V8 refuses them: which is why there are two.
    expect(rejected([], 'server.cache')).toBe('true');
  });

  it('talks to Docker through the lazily loaded client: list, health, a log tail', async () => {
    const list = await get('/api/v1/containers');
    expect(list.status).toBe(200);
    const items = (JSON.parse(list.body) as { items: { name: string; managed: boolean }[] }).items;
    expect(items).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: `${run}-echo`, managed: true })]),
    );
    expect((await get('/health/docker')).status).toBe(200);
    let lines: { text: string }[] = [];
    for (let i = 0; i < 50 && lines.length === 0; i++) {
      lines = (JSON.parse((await get(`/api/v1/containers/${run}-echo/logs`)).body) as { lines: typeof lines })
        .lines;
      if (lines.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines.map((l) => l.text)).toContain('bundled hello');
  });

  it('serves the API description and Swagger UI, built on first request', async () => {
    const spec = await get('/api/openapi.json');
    expect(spec.status).toBe(200);
    expect(Object.keys(JSON.parse(spec.body).paths)).toContain('/api/v1/containers');
    const docs = await get('/api/docs/');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger');
    const css = await get('/api/docs/static/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.type).toMatch(/^text\/css/);
  });

  it('loads the sign-in parts on first use: argon2 (native, through the loader) and WebAuthn', async () => {
    const send = (method: string, url: string, body: unknown, withCookie = true) =>
      fetch(`${base}${url}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-warp-request': '1',
          ...(withCookie ? { cookie } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await send('PUT', '/auth/password', { password: 'correct horse battery staple' })).status).toBe(
      204,
    );
    const login = (password: string) => send('POST', '/auth/password/login', { password }, false);
    expect((await login('correct horse battery staple')).status).toBe(200);
    expect((await login('wrong horse battery staple')).status).toBe(401);
    const options = await send('POST', '/auth/passkeys/register/options', {});
    expect(options.status).toBe(200);
    expect((await options.json()) as { challenge?: string }).toHaveProperty('challenge');
  });

  it('runs the other commands: migrate and login-token', () => {
    expect(execFileSync(process.execPath, [cli, 'migrate'], { env, encoding: 'utf8' })).toContain(
      'database is up to date',
    );
    expect(execFileSync(process.execPath, [cli, 'login-token'], { env, encoding: 'utf8' })).toMatch(/^wpl_/);
  });
});
