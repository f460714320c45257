/**
 * Sign-in without a shell: a real WebAuthn ceremony in Chromium with its virtual authenticator (CDP
 * `WebAuthn.addVirtualAuthenticator`), against a tiny static page this test serves (not the SPA) on
 * the panel's public origin; the page's /auth/* calls reach the real app. Also the password and
 * `GET /auth/methods`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { chromiumAvailable, launchChromium } from './support/chromium.js';

const BROWSER_LIB = path.resolve('node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js');
const PAGE = `<!doctype html><meta charset="utf-8"><title>passkeys</title>
<script src="/webauthn.js"></script>
<script>
  const post = async (url, body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-warp-request': '1' }, body: JSON.stringify(body ?? {}) });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  window.registerPasskey = async (name) => {
    const options = await post('/auth/passkeys/register/options');
    const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options.body });
    return post('/auth/passkeys/register', { name, response });
  };
  window.signInWithPasskey = async () => {
    const start = await post('/auth/passkeys/login/options');
    const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: start.body.options });
    return post('/auth/passkeys/login', { challengeId: start.body.challengeId, response });
  };
</script>`;

const available = chromiumAvailable();

describe.skipIf(!available)('passkeys and password for the local admin', () => {
  let t: TestApp;
  let server: http.Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    // The page's origin is the panel's public URL: WebAuthn binds credentials to it (RP id localhost).
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    t = await createTestApp({ env: { WARP_PUBLIC_URL: origin } });
    server.on('request', (req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      if (req.url === '/webauthn.js') {
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(BROWSER_LIB));
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const out = await t.app.http.inject({
          method: req.method as 'GET',
          url: req.url ?? '/',
          headers: req.headers as Record<string, string>,
          ...(chunks.length ? { payload: Buffer.concat(chunks) } : {}),
        });
        res.writeHead(out.statusCode, out.headers as http.OutgoingHttpHeaders).end(out.rawPayload);
      });
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    server?.close();
  });

  const methods = async () => (await t.app.http.inject({ url: '/auth/methods' })).json();

  it('registers a passkey in a real ceremony and signs in with it, without a token', async () => {
    expect(await methods()).toEqual({ github: false, passkey: false, password: false, token: true });
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await page.goto(origin);

    // Signed in once with a login token (the recovery path), the admin registers a passkey.
    const [name, value] = (await t.loginCookie()).split('=') as [string, string];
    await context.addCookies([{ name, value, url: origin }]);
    const registered = await page.evaluate(() =>
      (
        window as unknown as {
          registerPasskey(
            n: string,
          ): Promise<{ status: number; body: { passkey: { id: string; name: string } } }>;
        }
      ).registerPasskey('laptop'),
    );
    expect(registered.status).toBe(201);
    expect(registered.body.passkey.name).toBe('laptop');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(await methods()).toMatchObject({ passkey: true });

    // A fresh browser session (no cookie): sign in with the passkey alone.
    await context.clearCookies();
    const signedIn = await page.evaluate(() =>
      (
        window as unknown as {
          signInWithPasskey(): Promise<{ status: number; body: { user: { login: string } } }>;
        }
      ).signInWithPasskey(),
    );
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ login: 'admin', role: 'admin', provider: 'local' });
    const cookie = (await context.cookies()).find((c) => c.name === 'warp_session');
    expect(cookie).toBeDefined();
    const me = await t.app.http.inject({
      url: '/auth/me',
      headers: { cookie: `warp_session=${cookie!.value}` },
    });
    expect(me.statusCode).toBe(200);
    // The counter moved on and the use is recorded.
    const stored = await t.app.repos.webauthnCredentials.get(registered.body.passkey.id);
    expect(stored?.last_used_at).not.toBeNull();

    // An answer to a challenge already used is refused.
    const replay = await page.evaluate(async () => {
      const w = window as unknown as {
        SimpleWebAuthnBrowser: { startAuthentication(o: unknown): Promise<unknown> };
      };
      const start = await fetch('/auth/passkeys/login/options', { method: 'POST' }).then((r) => r.json());
      const response = await w.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: start.options });
      const first = await fetch('/auth/passkeys/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challengeId: start.challengeId, response }),
      });
      const again = await fetch('/auth/passkeys/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challengeId: start.challengeId, response }),
      });
      return [first.status, again.status];
    });
    expect(replay).toEqual([200, 401]);
    await context.close();
  });

  it('refuses a forged assertion (a different key signed it)', async () => {
    const start = (await t.app.http.inject({ method: 'POST', url: '/auth/passkeys/login/options' })).json();
    const [passkey] = await t.app.repos.webauthnCredentials.byUser(
      (await t.app.repos.users.findByLogin('admin'))!.id,
    );
    const forged = {
      id: passkey!.id,
      rawId: passkey!.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: Buffer.from(
          JSON.stringify({ type: 'webauthn.get', challenge: start.options.challenge, origin }),
        ).toString('base64url'),
        authenticatorData: Buffer.alloc(37, 1).toString('base64url'),
        signature: Buffer.alloc(64, 2).toString('base64url'),
      },
    };
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/auth/passkeys/login',
      payload: { challengeId: start.challengeId, response: forged },
    });
    expect(res.statusCode).toBe(401);
    expect(res.cookies.find((c) => c.name === 'warp_session')).toBeUndefined();
  });

  it('sets a password (argon2id), signs in with it, and refuses a wrong one', async () => {
    const cookie = await t.loginCookie();
    const write = { cookie, 'x-warp-request': '1' };
    const short = await t.app.http.inject({
      method: 'PUT',
      url: '/auth/password',
      headers: write,
      payload: { password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    const set = await t.app.http.inject({
      method: 'PUT',
      url: '/auth/password',
      headers: write,
      payload: { password: 'correct horse battery staple' },
    });
    expect(set.statusCode, set.body).toBe(204);
    expect((await t.app.repos.users.findByLogin('admin'))?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await methods()).toMatchObject({ password: true });
    // Changing it needs the current one.
    const change = await t.app.http.inject({
      method: 'PUT',
      url: '/auth/password',
      headers: write,
      payload: { password: 'another long password' },
    });
    expect(change.statusCode).toBe(400);
    expect(change.json().error.details).toEqual([
      { path: 'currentPassword', message: 'is not the current password' },
    ]);

    const wrong = await t.app.http.inject({
      method: 'POST',
      url: '/auth/password/login',
      payload: { password: 'wrong password!' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.app.http.inject({
      method: 'POST',
      url: '/auth/password/login',
      payload: { password: 'correct horse battery staple' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.login).toBe('admin');
    expect(ok.cookies.find((c) => c.name === 'warp_session')).toBeDefined();
  });

  it('offers GitHub only when OAuth is configured', async () => {
    const bearer = await t.adminBearer();
    const patch = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: bearer,
      payload: { github: { oauthClientId: 'Iv1.test', oauthClientSecret: 'shh-secret' } },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(await methods()).toMatchObject({ github: true, passkey: true, password: true, token: true });
  });
});
