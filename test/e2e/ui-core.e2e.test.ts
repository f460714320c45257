import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();

describe.skipIf(!available)('web UI against the real server', () => {
  let e: E2E;
  let page: Page;

  beforeAll(async () => {
    e = await startE2E();
    ({ page } = await e.newPage());
  });
  afterAll(async () => {
    await e?.close();
  });

  const onboarding = () => page.getByRole('dialog', { name: 'Set up Warp Panel' });

  it('signs in with a login token (and refuses a used one)', async () => {
    await page.goto('/');
    await page.getByLabel('Login token').waitFor();
    // GitHub OAuth is not configured here: the sign-in page does not offer it (GET /auth/methods).
    expect(await page.getByRole('link', { name: 'Sign in with GitHub' }).count()).toBe(0);
    await e.screenshot(page, 'sign-in');
    const token = await e.loginToken();
    await page.getByLabel('Login token').fill(token);
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    const other = await e.newPage();
    await other.page.goto('/');
    await other.page.getByLabel('Login token').fill(token);
    await other.page.getByRole('button', { name: 'Sign in with token' }).click();
    await expect(other.page.getByRole('alert').textContent()).resolves.toMatch(/invalid, used or expired/);
    await other.context.close();
  });

  it('shows onboarding on first sign-in, puts a validation error next to its field, and saves steps', async () => {
    await onboarding().waitFor();
    await e.screenshot(page, 'onboarding');
    const domain = onboarding().getByLabel('Base domain');
    await domain.fill('not a domain');
    await onboarding().getByRole('button', { name: 'Save and continue' }).click();
    await expect.poll(() => domain.getAttribute('aria-invalid')).toBe('true');
    const errorId = ((await domain.getAttribute('aria-describedby')) ?? '')
      .split(' ')
      .find((id) => id.endsWith('-err'));
    await expect(page.locator(`[id="${errorId}"]`).textContent()).resolves.toMatch(/domain/);
    await e.screenshot(page, 'onboarding-validation-error');

    await domain.fill('example.com');
    await onboarding().getByRole('button', { name: 'Save and continue' }).click();
    await onboarding().getByRole('heading', { name: 'Tunnel' }).waitFor();
    await onboarding().getByRole('button', { name: 'Continue', exact: true }).click();
    // The GitHub step shows the App token test (not configured here) and stays open after saving.
    await onboarding().getByText('GitHub App', { exact: true }).waitFor();
    await onboarding().getByRole('button', { name: 'Continue', exact: true }).click(); // GitHub
    await onboarding().getByRole('button', { name: 'Skip this step' }).click(); // access
    await onboarding().getByRole('button', { name: 'Finish' }).click();
    await onboarding().waitFor({ state: 'detached' });

    const settings = await e.t.app.services.settings.view();
    expect(settings.baseDomain).toBe('example.com');
  });

  it('does not show onboarding again after a reload or the next sign-in', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await onboarding().count()).toBe(0);
    await e.screenshot(page, 'dashboard');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Login token').waitFor();
    await e.signIn(page);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The overlay would open as soon as the onboarding query answers: wait for that answer, then check.
    await page.waitForFunction(() =>
      performance.getEntriesByType('resource').some((r) => r.name.endsWith('/api/v1/onboarding')),
    );
    await page.waitForLoadState('networkidle');
    expect(await onboarding().count()).toBe(0);
  });

  it('shows a secret setting only as a hint, never its value', async () => {
    const secret = 'oauth-secret-value-9f2c';
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const input = page.getByLabel('OAuth client secret', { exact: true });
    await input.fill(secret);
    const form = page.locator('form').filter({ has: input });
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.reload();
    const hint = page.getByTestId('secret-github.oauthClientSecret');
    await expect(hint.textContent()).resolves.toBe('set ••••9f2c');
    await expect(page.getByLabel('OAuth client secret', { exact: true }).inputValue()).resolves.toBe('');
    expect(await page.content()).not.toContain(secret);
    await e.screenshot(page, 'settings');
  });

  it('shows the quick-service subdomain rule and live preview', async () => {
    await page.goto('/projects/new');
    const sub = page.getByLabel('Subdomain');
    await sub.fill('Bad_Name');
    await expect(page.getByTestId('hostname-preview').textContent()).resolves.toBe('Bad_Name.example.com');
    await expect.poll(() => sub.getAttribute('aria-invalid')).toBe('true');
    await sub.fill('good-name');
    await expect(page.getByTestId('hostname-preview').textContent()).resolves.toBe('good-name.example.com');
    expect(await sub.getAttribute('aria-invalid')).toBeNull();
    await e.screenshot(page, 'new-project');
  });

  it('creates an API token and shows it exactly once', async () => {
    await page.goto('/settings/tokens');
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.getByTestId('new-token').inputValue();
    expect(shown).toMatch(/^wp_/);
    const row = page.getByRole('row').filter({ hasText: 'ci' });
    await row.waitFor();
    await e.screenshot(page, 'tokens');
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'ci' }).waitFor();
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(shown);
    const res = await fetch(`${e.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${shown}` } });
    expect(res.status).toBe(200);
  });

  it('shows the audit log with filters', async () => {
    await page.goto('/audit');
    await page.locator('tr[data-action="token.create"]').first().waitFor();
    expect(await page.locator('tr[data-action="auth.login"]').count()).toBeGreaterThan(0);
    expect(await page.locator('tr[data-action="settings.update"]').count()).toBeGreaterThan(0);
    await e.screenshot(page, 'audit');
    await page.getByLabel('Action', { exact: true }).fill('token.create');
    await page.getByRole('button', { name: 'Apply' }).click();
    // The filtered page has loaded once it shows rows again and every one of them is token.create.
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('tr[data-action]'));
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-action') === 'token.create');
    });
  });

  it('serves deep links as the SPA and keeps API 404s as JSON', async () => {
    const res = await page.goto('/containers');
    expect(res?.headers()['cache-control']).toBe('no-cache');
    await page.getByRole('heading', { name: 'Containers', level: 1 }).waitFor();
    const api = await fetch(`${e.baseUrl}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe('NOT_FOUND');
  });

  it('renders every page and new-project tab without a script error, showing API errors in place', async () => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const pages: [string, string][] = [
      ['/', 'Dashboard'],
      ['/jobs', 'Jobs'],
      ['/containers', 'Containers'],
      ['/tunnel', 'Tunnel'],
      ['/settings', 'Settings'],
      ['/settings/tokens', 'API tokens'],
      ['/audit', 'Audit log'],
      ['/projects/new', 'New project'],
      ['/jobs/0190a0a0-0000-7000-8000-000000000000', 'Job'],
      ['/nowhere', 'Page not found'],
    ];
    for (const [url, heading] of pages) {
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      await e.screenshot(page, `page${url.replace(/\//g, '-').replace(/-[0-9a-f-]{36}$/, '-id') || '-root'}`);
    }
    // The unknown job shows the API's 404 as an alert instead of crashing.
    await page.goto('/jobs/0190a0a0-0000-7000-8000-000000000000');
    await page.getByRole('alert').filter({ hasText: 'Not found' }).waitFor();
    await page.goto('/projects/new');
    for (const tab of [
      'From template',
      'From repository',
      'From host folder',
      'Forward a port',
      'Quick service',
    ]) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel').waitFor();
      await page.waitForLoadState('networkidle');
      await e.screenshot(page, `new-project-${tab.toLowerCase().replace(/ /g, '-')}`);
    }
    // Keyboard: arrow keys move between tabs.
    await page.getByRole('tab', { name: 'Quick service' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'From template' }).getAttribute('aria-selected')).toBe('true');
    expect(errors).toEqual([]);
  });

  it('works on a phone in dark mode, with the menu behind a button', async () => {
    const phone = await e.newPage({ width: 390, height: 844, colorScheme: 'dark' });
    await e.signIn(phone.page);
    await phone.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await phone.page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    await phone.page.getByRole('button', { name: 'Menu' }).click();
    await phone.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await phone.page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const bg = await phone.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(13, 17, 23)');
    await e.screenshot(phone.page, 'audit-phone-dark');
  });
});
