import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../support/databases.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const CLOUDFLARED = fileURLToPath(new URL('../fakes/cloudflared', import.meta.url));
const WRITE = { 'x-warp-request': '1' };
const CONFIG = `tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
ingress:
  # hand-written
  - hostname: nas.example.com
    service: http://192.168.1.10:5000
  - service: http_status:404
`;
const engines = await testEngines();

describe.each(engines)('forwards on %s', (engine) => {
  let t: TestApp;
  let cookie: string;
  let configPath: string;
  let origin: http.Server;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({
      engine,
      env: { WARP_CLOUDFLARED_BIN: CLOUDFLARED, WARP_TUNNEL_NAME: 'home', WARP_BASE_DOMAIN: 'example.com' },
    });
    configPath = t.app.config.cloudflaredConfig;
    fs.mkdirSync(path.dirname(configPath), { recursive: true });
    fs.writeFileSync(configPath, CONFIG);
    cookie = await t.loginCookie();
    origin = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    port = (origin.address() as AddressInfo).port;
    await t.app.runner.start();
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => origin.close(resolve));
  });

  const dnsCalls = () => {
    const file = path.join(path.dirname(configPath), '.fake-cloudflared', 'calls.jsonl');
    return fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { argv: string[] }).argv)
          .filter((a) => a.includes('route'))
      : [];
  };

  it('publishes a host port end to end: 202, job succeeds, rule in config.yml, DNS routed', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/forwards',
      headers: { cookie, ...WRITE },
      payload: { port, subdomain: 'grafana' },
    });
    expect(res.statusCode).toBe(202);
    const { project, job } = res.json();
    expect(project).toMatchObject({
      kind: 'forward',
      subdomain: 'grafana',
      hostname: 'grafana.example.com',
      hostPort: port,
    });
    expect(job).toMatchObject({ type: 'forward', projectId: project.id });
    const done = await waitForJob(t, { cookie }, job.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { url: 'https://grafana.example.com' } });
    const text = fs.readFileSync(configPath, 'utf8');
    expect(text).toContain(
      `  - hostname: grafana.example.com\n    service: http://localhost:${port}\n  - service: http_status:404`,
    );
    expect(text.startsWith(CONFIG.slice(0, CONFIG.indexOf('  - service: http_status:404')))).toBe(true);
    expect(dnsCalls()).toContainEqual([
      'tunnel',
      '--config',
      configPath,
      'route',
      'dns',
      'home',
      'grafana.example.com',
    ]);
    const again = await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: { cookie } });
    expect(again.json().status).toBe('running');
    const logs = await t.app.http.inject({ url: `/api/v1/jobs/${job.id}/logs`, headers: { cookie } });
    expect(
      logs
        .json()
        .lines.map((l: { text: string }) => l.text)
        .join('\n'),
    ).toMatch(/Added CNAME grafana\.example\.com/);
  });

  it('refuses a routed subdomain with 409 at once, creating nothing', async () => {
    const count = async () => ({
      projects: Number(
        (
          await t.app.db.kysely
            .selectFrom('projects')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      jobs: Number(
        (
          await t.app.db.kysely
            .selectFrom('jobs')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });
    const before = await count();
    for (const subdomain of ['grafana', 'nas']) {
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/forwards',
        headers: { cookie, ...WRITE },
        payload: { port: 9999, subdomain },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('CONFLICT');
    }
    const bad = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/forwards',
      headers: { cookie, ...WRITE },
      payload: { port: 70000, subdomain: 'ok' },
    });
    expect(bad.statusCode).toBe(400);
    expect(await count()).toEqual(before);
  });

  it('warns when nothing listens on the port, and removing the project removes its route', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/forwards',
      headers: { cookie, ...WRITE },
      payload: { port: freePort, subdomain: 'later', name: 'Later service' },
    });
    expect(res.statusCode).toBe(202);
    const { project, job } = res.json();
    expect((await waitForJob(t, { cookie }, job.id)).status).toBe('succeeded');
    const logs = await t.app.http.inject({ url: `/api/v1/jobs/${job.id}/logs`, headers: { cookie } });
    expect(
      logs
        .json()
        .lines.map((l: { text: string }) => l.text)
        .join('\n'),
    ).toMatch(`warning: published — nothing answers on port ${freePort} yet`);
    const forward = await t.app.http.inject({ url: `/api/v1/projects/${project.id}`, headers: { cookie } });
    expect(forward.json().status).toBe('degraded');

    const silent = { info: () => {}, warn: () => {}, error: () => {} };
    const lines: string[] = [];
    await t.app.tunnel.unpublish(project.id, { log: { ...silent, warn: (l: string) => lines.push(l) } });
    expect(fs.readFileSync(configPath, 'utf8')).not.toContain('later.example.com');
    expect(lines.join('\n')).toMatch(/CNAME for later\.example\.com stays in place/);
  });
});
