import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const CLOUDFLARED = fileURLToPath(new URL('../fakes/cloudflared', import.meta.url));
const WRITE = { 'x-warp-request': '1' };
const CONFIG = `tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
ingress:
  - hostname: blog.example.com
    service: http://localhost:8080
  - service: http_status:404
`;
const engines = await testEngines();

describe.each(engines)('tunnel API on %s', (engine) => {
  let t: TestApp;
  let cookie: string;
  let configPath: string;
  const setInfo = (info: Record<string, unknown>) => {
    const dir = path.join(path.dirname(configPath), '.fake-cloudflared');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'info.json'), JSON.stringify(info));
  };

  beforeAll(async () => {
    t = await createTestApp({
      engine,
      env: { WARP_CLOUDFLARED_BIN: CLOUDFLARED, WARP_TUNNEL_NAME: 'home', WARP_BASE_DOMAIN: 'example.com' },
    });
    cookie = await t.loginCookie();
    configPath = t.app.config.cloudflaredConfig;
  });
  afterAll(async () => {
    await t.close();
  });

  it('previews a missing config as invalid with a clear error, not a 500', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/tunnel/config', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ path: configPath, content: '', valid: false, rules: [] });
    expect(res.json().errors[0]).toMatch(/does not exist/);
  });

  it('answers /health/tunnel: ok, degraded, down and unconfigured (details for signed-in callers)', async () => {
    fs.mkdirSync(path.dirname(configPath), { recursive: true });
    fs.writeFileSync(configPath, CONFIG);
    setInfo({ connections: 4 });
    const anonymous = await t.app.http.inject({ url: '/health/tunnel' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ status: 'ok' });
    const ok = await t.app.http.inject({ url: '/health/tunnel', headers: { cookie } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      status: 'ok',
      mode: 'local',
      tunnel: { name: 'home', id: '6ff42ae2-765d-4adf-8112-31c55c1551ef' },
      connections: 4,
      config: { path: configPath, valid: true, errors: [] },
    });
    setInfo({ connections: 2 });
    const degraded = await t.app.http.inject({ url: '/health/tunnel', headers: { cookie } });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toMatchObject({ status: 'degraded', connections: 2 });
    setInfo({ down: true });
    const down = await t.app.http.inject({ url: '/health/tunnel', headers: { cookie } });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'down', connections: null });

    const patch = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE },
      payload: { tunnel: { name: null } },
    });
    expect(patch.statusCode).toBe(200);
    const none = await t.app.http.inject({ url: '/health/tunnel', headers: { cookie } });
    expect(none.statusCode).toBe(503);
    expect(none.json()).toMatchObject({ status: 'unconfigured', tunnel: null, connections: null });
    await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: { cookie, ...WRITE },
      payload: { tunnel: { name: 'home' } },
    });
  });

  it('lists the rules with the managed flag and the owning project, and needs a session', async () => {
    fs.writeFileSync(configPath, CONFIG);
    setInfo({ connections: 4 });
    const silent = { info: () => {}, warn: () => {}, error: () => {} };
    await t.app.tunnel.publish(
      { projectId: null, subdomain: 'panel-app', service: 'http://localhost:8123' },
      { log: silent },
    );
    expect((await t.app.http.inject({ url: '/api/v1/tunnel' })).statusCode).toBe(401);
    const res = await t.app.http.inject({ url: '/api/v1/tunnel', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ mode: 'local', name: 'home', id: '6ff42ae2-765d-4adf-8112-31c55c1551ef' });
    expect(body.connections).toHaveLength(4);
    expect(body.rules).toEqual([
      {
        hostname: 'blog.example.com',
        path: null,
        service: 'http://localhost:8080',
        managed: false,
        projectId: null,
      },
      {
        hostname: 'panel-app.example.com',
        path: null,
        service: 'http://localhost:8123',
        managed: true,
        projectId: null,
      },
      { hostname: null, path: null, service: 'http_status:404', managed: false, projectId: null },
    ]);
    const preview = await t.app.http.inject({ url: '/api/v1/tunnel/config', headers: { cookie } });
    expect(preview.json()).toMatchObject({ valid: true, errors: [] });
    expect(preview.json().content).toContain('panel-app.example.com');
  });
});
