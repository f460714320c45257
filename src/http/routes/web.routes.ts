import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { createLazyApp } from '../lazy-app.js';
import { zodSchemaController } from '../schema-compilers.js';
import type { HttpApp } from '../server.js';

/** Paths that belong to the API and must never be answered with the SPA. */
const RESERVED = /^\/(api|auth|health|healthz)(\/|$|\?)/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warp Panel</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Warp Panel</h1><p>The web UI is not built yet. Run <code>npm run build</code> (or <code>npm start</code>,
which builds it when needed) and reload this page. The API is available under <code>/api/v1</code>.</p></body></html>`;

/** The package root (holds package.json named warp-panel), from src/ or dist/src/. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'warp-panel')
      return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** Where the built SPA lives by default: `<package>/dist/web`. */
export const defaultWebRoot = (): string => path.join(packageRoot(), 'dist', 'web');

/** Whether a request prefers an HTML page (a browser navigation), not JSON. */
function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.includes('text/html') || accept.includes('application/xhtml+xml') || accept.trim() === '*/*';
}

/**
 * Serves the SPA built into dist/web: hashed files under /assets with long-lived immutable caching, and
 * index.html (never cached) for any other GET that accepts HTML, so client-side routes survive a reload.
 * /api, /auth and /health* are never shadowed: unknown paths there keep the API's JSON 404. When the bundle
 * is missing, a short page says how to build it.
 */
export function webRoutes(app: HttpApp, opts: { root?: string } = {}): void {
  const root = opts.root ?? defaultWebRoot();
  const assets = path.join(root, 'assets');
  const indexFile = path.join(root, 'index.html');

  // /assets/* exists whether or not the bundle is built (the route table does not depend on build state).
  if (!existsSync(assets)) {
    app.get('/assets/*', { config: { auth: 'public' }, schema: { hide: true } }, (_request, reply) =>
      reply.callNotFound(),
    );
  } else {
    // The files are served by @fastify/static in an instance of their own, loaded on the first asset
    // request: a panel that only answers the API never loads it (see createLazyApp).
    const files = createLazyApp(async () => {
      const { default: fastifyStatic } = await import('@fastify/static');
      const server = Fastify({ logger: false, schemaController: zodSchemaController });
      await server.register(fastifyStatic, {
        root: assets,
        prefix: '/assets/',
        decorateReply: false,
        index: false,
        list: false,
        dotfiles: 'deny',
        cacheControl: false,
        // Vite's build writes .br/.gz next to each asset (web/vite.config.ts); served when the client accepts them.
        preCompressed: true,
        setHeaders: (reply) => {
          reply.header('cache-control', IMMUTABLE);
        },
      });
      await server.ready();
      return server;
    });
    app.get('/assets/*', { config: { auth: 'public' }, schema: { hide: true } }, files.forward);
  }

  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (
      RESERVED.test(request.url) ||
      request.url.startsWith('/assets/') ||
      !wantsHtml(request.headers.accept)
    ) {
      return reply.callNotFound();
    }
    let html: string;
    try {
      html = await readFile(indexFile, 'utf8');
    } catch {
      return reply
        .status(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT);
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  });
}
