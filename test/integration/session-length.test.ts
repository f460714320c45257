/** Sessions are extended by activity (2 h idle) up to the `auth.sessionMaxHours` setting, counted from sign-in. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { captureStream } from '../support/log-capture.js';

const MIN = 60_000;

describe('session length', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-session-'));
  let at = Date.parse('2026-03-01T10:00:00.000Z');
  const clock = { now: () => new Date(at) };
  let close: () => Promise<void> = async () => {};
  afterAll(async () => {
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps an active session up to the configured limit, then ends it', async () => {
    const app = await createApp({
      config: loadConfig({ WARP_DATA_DIR: dataDir, WARP_SESSION_MAX_HOURS: '5' }, dataDir),
      logger: createLogger('warn', captureStream()),
      clock,
    });
    close = () => app.close();
    await app.http.ready();
    const login = async () => {
      const { token } = await app.services.auth.issueLoginToken('cli');
      const res = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
      const c = res.cookies.find((x) => x.name === 'warp_session')!;
      return { cookie: `warp_session=${c.value}`, maxAge: c.maxAge };
    };
    const me = (cookie: string) => app.http.inject({ url: '/auth/me', headers: { cookie } });

    // The environment gives the first default; the setting wins once saved.
    const first = await login();
    expect(first.maxAge).toBe(5 * 3600);
    const patch = await app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie: first.cookie, 'x-warp-request': '1' },
      payload: { auth: { sessionMaxHours: 3 } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json().auth).toEqual({ sessionMaxHours: 3 });

    const { cookie, maxAge } = await login();
    expect(maxAge).toBe(3 * 3600);
    // Active every 100 minutes: the 2-hour idle limit never hits, each use extends it…
    at += 100 * MIN;
    expect((await me(cookie)).json().session.expiresAt).toBe(new Date(at + 80 * MIN).toISOString());
    at += 70 * MIN;
    expect((await me(cookie)).statusCode).toBe(200);
    // …but never past 3 hours after sign-in.
    at += 11 * MIN;
    expect((await me(cookie)).statusCode).toBe(401);
  });
});
