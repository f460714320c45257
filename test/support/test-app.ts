import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPostgresDatabase } from './databases.js';
import { captureStream } from './log-capture.js';

/** A running test app plus helpers to act as a signed-in user. */
export interface TestApp {
  app: App;
  dataDir: string;
  engine: 'sqlite' | 'postgres';
  /** Cookie header of a fresh local-admin session (login token flow). */
  loginCookie(): Promise<string>;
  /** A bearer header for a fresh admin API token. */
  adminBearer(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Build the real app on a temp data dir and the chosen engine; `env` overrides configuration. */
export async function createTestApp(
  opts: {
    engine?: 'sqlite' | 'postgres';
    env?: Record<string, string>;
    webRoot?: string;
    streamLimits?: { perCaller: number; total: number };
    /** Pull stall timeout of the deploy flows (default 2 min). */
    pullStallTimeoutMs?: number;
    /** Other app options (notification and metrics timings). */
    app?: Omit<AppOptions, 'config' | 'logger'>;
    /** Health gate timings of the deploy flows (a shorter stabilisation window) and Swarm convergence. */
    healthGate?: { timeoutMs?: number; stableMs?: number };
  } = {},
): Promise<TestApp> {
  const engine = opts.engine ?? 'sqlite';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-test-'));
  const pgDb = engine === 'postgres' ? await createPostgresDatabase() : null;
  const config = loadConfig(
    {
      WARP_DATA_DIR: dataDir,
      WARP_LOG_LEVEL: 'debug',
      WARP_CLOUDFLARED_CONFIG: path.join(dataDir, 'cloudflared', 'config.yml'),
      WARP_TUNNEL_RESTART: 'none',
      ...(pgDb ? { WARP_DATABASE_URL: pgDb.url } : {}),
      ...opts.env,
    },
    dataDir,
  );
  const app = await createApp({
    ...opts.app,
    config,
    logger: createLogger('debug', captureStream()),
    ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
    ...(opts.streamLimits ? { streamLimits: opts.streamLimits } : {}),
    ...(opts.pullStallTimeoutMs ? { pullStallTimeoutMs: opts.pullStallTimeoutMs } : {}),
    ...(opts.healthGate ? { healthGate: opts.healthGate } : {}),
  });
  await app.http.ready();

  async function loginCookie(): Promise<string> {
    const { token } = await app.services.auth.issueLoginToken('cli');
    const res = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    // `__Host-warp_session` when the public URL is https, `warp_session` otherwise.
    const cookie = res.cookies.find((c) => c.name === 'warp_session' || c.name === '__Host-warp_session');
    if (!cookie) throw new Error('no session cookie');
    return `${cookie.name}=${cookie.value}`;
  }

  return {
    app,
    dataDir,
    engine,
    loginCookie,
    async adminBearer() {
      const cookie = await loginCookie();
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie, 'x-warp-request': '1' },
        payload: { name: 'test' },
      });
      if (res.statusCode !== 201) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
      return { authorization: `Bearer ${res.json().token as string}` };
    },
    async close() {
      await app.close();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
