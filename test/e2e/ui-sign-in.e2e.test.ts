/**
 * Issue point 3, "sign-in without a shell", in the real UI: the local admin registers a passkey on the
 * Account page (a real WebAuthn ceremony with Chromium's virtual authenticator, CDP
 * `WebAuthn.addVirtualAuthenticator`) and sets a password; the sign-in page then offers what exists —
 * a passkey button, a password form, GitHub only once OAuth is configured — and always the login token.
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();

describe.skipIf(!available)('sign-in without a shell (passkeys and password in the UI)', () => {
  let e: E2E;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    // Served at http://localhost:<port>, its public URL: passkeys are bound to that host name.
    e = await startE2E({ localhost: true });
    const auth = await e.t.adminBearer();
    await e.t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/onboarding',
      headers: auth,
      payload: { completed: true },
    });
    const opened = await e.newPage();
    page = opened.page;
    cdp = await opened.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });
  afterAll(async () => {
    await e?.close();
  });

  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Login token').waitFor();
  };

  it('offers only the login token on a fresh panel (no GitHub button without OAuth)', async () => {
    await page.goto('/');
    await page.getByLabel('Login token').waitFor();
    await expect(page.title()).resolves.toBe('Sign in · Warp Panel');
    expect(await page.getByRole('link', { name: 'Sign in with GitHub' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).count()).toBe(0);
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
    // The one way in is the primary button.
    expect(await page.locator('.btn-primary').allTextContents()).toEqual(['Sign in with token']);
    await e.screenshot(page, '3-sign-in-token-only');
  });

  it('registers a passkey on the Account page in a real ceremony', async () => {
    await e.signIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await expect(page.title()).resolves.toBe('Account · Warp Panel');
    await page.getByText('No passkeys yet.').waitFor();
    await page.getByLabel('Name for the new passkey').fill('laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('status').filter({ hasText: 'Passkey “laptop” added' }).waitFor();
    await page.locator('[data-passkey="laptop"]').getByText('last used never').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    const stored = await e.t.app.repos.webauthnCredentials.byUser(
      (await e.t.app.repos.users.findByLogin('admin'))!.id,
    );
    expect(stored.map((c) => c.name)).toEqual(['laptop']);
  });

  it('sets a password there, with every problem on its field', async () => {
    await page.getByLabel('New password', { exact: true }).fill('correct horse battery staple');
    await page.getByLabel('Repeat the new password').fill('something else');
    await page.getByRole('button', { name: 'Set password' }).click();
    const again = page.getByLabel('Repeat the new password');
    await expect.poll(() => again.getAttribute('aria-invalid')).toBe('true');
    // Too short: the server's rule, shown on the field in words.
    await page.getByLabel('New password', { exact: true }).fill('short');
    await again.fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    const next = page.getByLabel('New password', { exact: true });
    await expect.poll(() => next.getAttribute('aria-invalid')).toBe('true');
    expect(await page.content()).not.toMatch(/Too small|Invalid input|currentPassword/);

    await next.fill('correct horse battery staple');
    await again.fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password set' }).waitFor();
    await page.getByRole('button', { name: 'Change password' }).waitFor();
    await e.screenshot(page, '3-account-passkeys-password');
    expect((await e.t.app.repos.users.findByLogin('admin'))?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('signs in with the passkey alone, without a token', async () => {
    await signOut();
    const passkey = page.getByRole('button', { name: 'Sign in with a passkey' });
    await passkey.waitFor();
    expect(await page.getByRole('link', { name: 'Sign in with GitHub' }).count()).toBe(0);
    await page.getByLabel('Password', { exact: true }).waitFor();
    await page.getByLabel('Login token').waitFor();
    expect(await page.locator('.btn-primary').allTextContents()).toEqual(['Sign in with a passkey']);
    await e.screenshot(page, '3-sign-in-passkey-password-token');
    await passkey.click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto('/account');
    await page
      .locator('[data-passkey="laptop"]')
      .getByText(/last used (just now|\d+ s ago)/)
      .waitFor();
  });

  it('signs in with the password, and says so when it is wrong', async () => {
    await signOut();
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await page.getByText('That password is not right.').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('offers GitHub once OAuth is configured, and keeps the token for recovery', async () => {
    await e.t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: await e.t.adminBearer(),
      payload: { github: { oauthClientId: 'Iv1.test', oauthClientSecret: 'shh-secret' } },
    });
    await signOut();
    const github = page.getByRole('link', { name: 'Sign in with GitHub' });
    await github.waitFor();
    expect(await github.getAttribute('href')).toBe('/auth/login');
    await page.getByLabel('Login token').waitFor();
    await e.screenshot(page, '3-sign-in-all-methods');
    const phone = await e.newPage({ width: 390, height: 844, colorScheme: 'dark' });
    await phone.page.goto('/');
    await phone.page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await e.screenshot(phone.page, '3-sign-in-phone-dark');
  });
});
