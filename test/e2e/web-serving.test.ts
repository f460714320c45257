import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webRoutes } from '../../src/http/routes/web.routes.js';
import { createHttpServer, type HttpApp } from '../../src/http/server.js';
import { createLogger } from '../../src/lib/logger.js';
import { captureStream } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A fake built bundle in a temp dir: index.html plus a hashed asset with pre-compressed copies. */
function fakeBundle(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-web-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><div id="root"></div><script src="/assets/index-abc123.js"></script>',
  );
  fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log("app")');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js.gz'), 'GZ');
  return root;
}

describe('serving the web UI', () => {
  let t: TestApp;
  let root: string;
  let http: HttpApp;

  beforeAll(async () => {
    root = fakeBundle();
    t = await createTestApp({ webRoot: root });
    // The same server set-up as the app, with only the web routes and a fake bundle.
    ({ app: http } = await createHttpServer({
      logger: createLogger('warn', captureStream()),
      version: 'test',
      auth: t.app.services.auth,
      registerRoutes: (app) => webRoutes(app, { root }),
    }));
    await http.ready();
  });
  afterAll(async () => {
    await http.close();
    await t.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers client-side routes that accept HTML with index.html, never cached', async () => {
    for (const url of ['/', '/jobs/123', '/settings/tokens?x=1']) {
      const res = await http.inject({ url, headers: HTML });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets with long-lived immutable caching, pre-compressed when accepted', async () => {
    const plain = await http.inject({ url: '/assets/index-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe('console.log("app")');
    const gz = await http.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.toString()).toBe('GZ');
  });

  it('never shadows the API: unknown /api, /auth and /health paths keep the JSON 404', async () => {
    for (const url of ['/api/v1/nope', '/auth/nope', '/health/nope', '/healthz/x', '/assets/missing.js']) {
      const res = await http.inject({ url, headers: HTML });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('answers JSON clients with a 404 instead of the page', async () => {
    const res = await http.inject({ url: '/whatever', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it('says how to build the UI when the bundle is missing', async () => {
    fs.renameSync(path.join(root, 'index.html'), path.join(root, 'index.off'));
    try {
      const res = await http.inject({ url: '/', headers: HTML });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
    } finally {
      fs.renameSync(path.join(root, 'index.off'), path.join(root, 'index.html'));
    }
  });

  it('is wired into the real app after every API route', async () => {
    const res = await t.app.http.inject({ url: '/healthz', headers: HTML });
    expect(res.json().status).toBe('ok');
    const api = await t.app.http.inject({ url: '/api/v1/settings', headers: HTML });
    expect(api.statusCode).toBe(401);
    const page = await t.app.http.inject({ url: '/audit', headers: HTML });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<div id="root">');
    const asset = await t.app.http.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
  });
});
