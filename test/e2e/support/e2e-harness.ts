import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { launchChromium } from './chromium.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where screenshots of key pages go (gitignored test artifacts). */
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/** Build dist/web when it is older than web/ (shared with `npm start`; parallel callers wait on a lock). */
export function ensureWebBuilt(): void {
  const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/ensure-built.mjs'), '--web'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`web build failed:\n${res.stdout}\n${res.stderr}`);
}

/** The real server on a free port plus a browser, as the e2e tests use them. */
export interface E2E {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own cookies) with a page, viewport desktop unless given. */
  newPage(opts?: {
    width?: number;
    height?: number;
    colorScheme?: 'light' | 'dark';
    /** e.g. clipboard-read and clipboard-write, to check what a copy button copied. */
    permissions?: string[];
  }): Promise<{ context: BrowserContext; page: Page }>;
  /** A single-use login token issued on the "host". */
  loginToken(): Promise<string>;
  /** Sign in through the UI with a fresh login token. */
  signIn(page: Page): Promise<void>;
  /** Save a full-page screenshot under test-results/screenshots/. */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** A port that was free a moment ago (for a server whose public URL must be known before it starts). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Start the real app (createTestApp + listen on port 0) and headless Chromium. `localhost: true` serves
 * it at http://localhost:<port> and makes that its public URL (WARP_PUBLIC_URL): WebAuthn binds passkeys
 * to a host name, never to an IP address.
 */
export async function startE2E(
  opts: { env?: Record<string, string>; localhost?: boolean } = {},
): Promise<E2E> {
  ensureWebBuilt();
  const fixed = opts.localhost ? await freePort() : 0;
  const env = { ...opts.env, ...(opts.localhost ? { WARP_PUBLIC_URL: `http://localhost:${fixed}` } : {}) };
  const t = await createTestApp({ engine: 'sqlite', env });
  await t.app.http.listen({ host: '127.0.0.1', port: fixed });
  const { port } = t.app.http.server.address() as AddressInfo;
  const baseUrl = `http://${opts.localhost ? 'localhost' : '127.0.0.1'}:${port}`;
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await t.close();
    throw error;
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const contexts: BrowserContext[] = [];

  const loginToken = async () => (await t.app.services.auth.issueLoginToken('cli')).token;
  return {
    t,
    baseUrl,
    browser,
    async newPage(o = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width: o.width ?? 1280, height: o.height ?? 860 },
        colorScheme: o.colorScheme ?? 'light',
        ...(o.permissions ? { permissions: o.permissions } : {}),
      });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    loginToken,
    async signIn(page) {
      await page.goto('/');
      await page.getByLabel('Login token').fill(await loginToken());
      await page.getByRole('button', { name: 'Sign in with token' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await t.close();
    },
  };
}
