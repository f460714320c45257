/**
 * Issue points 4 and 9 in the real UI (no Docker needed): jobs by their title everywhere, a title on every
 * page, validation problems on their fields in words; onboarding checks that follow each save, one primary
 * button per step, the webhook URL explained. Also point 1 for a forward nobody answers (degraded).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CLOUDFLARED, FAKE_SYSTEMCTL, writeTunnelConfig } from '../support/deploy-env.js';
import { waitForJob } from '../support/job-helpers.js';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();
// A host port nothing listens on: the forward publishes it and says nobody answers yet.
const IDLE_PORT = 18_997;

describe.skipIf(!available)('words for people, and onboarding that follows each save', () => {
  let e: E2E;
  let page: Page;

  beforeAll(async () => {
    // No tunnel name yet: the onboarding's tunnel check starts "unconfigured".
    e = await startE2E({
      env: {
        WARP_CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
        WARP_SYSTEMCTL_BIN: FAKE_SYSTEMCTL,
        WARP_TUNNEL_RESTART: 'none',
      },
    });
    writeTunnelConfig(e.t);
    await e.t.app.runner.start();
    ({ page } = await e.newPage());
  });
  afterAll(async () => {
    await e?.close();
  });

  const dialog = () => page.getByRole('dialog', { name: 'Set up Warp Panel' });
  const primaries = () => dialog().locator('.btn-primary:visible').allTextContents();

  it('onboarding: one primary button per step, and the tunnel check follows a save', async () => {
    await e.signIn(page);
    await dialog().waitFor();
    expect(await primaries()).toEqual(['Save and continue']);
    await dialog().getByLabel('Base domain').fill('example.com');
    await dialog().getByRole('button', { name: 'Save and continue' }).click();

    await dialog().getByRole('heading', { name: 'Tunnel' }).waitFor();
    const health = dialog().getByTestId('tunnel-health');
    await expect.poll(() => health.textContent()).toBe('unconfigured');
    expect(await primaries()).toEqual(['Save and check']);
    await dialog().getByLabel('Tunnel name').fill('home');
    await dialog().getByRole('button', { name: 'Save and check' }).click();
    // No "Check again": the check reads the settings just saved by itself.
    await expect.poll(() => health.textContent()).not.toBe('unconfigured');
    expect(await primaries()).toEqual(['Continue']);
    await e.screenshot(page, '9-onboarding-tunnel-saved');
    await dialog().getByRole('button', { name: 'Continue', exact: true }).click();

    await dialog().getByRole('heading', { name: 'GitHub App and OAuth' }).waitFor();
    const hint = dialog().getByTestId('webhook-hint');
    await expect(hint.textContent()).resolves.toContain(`${e.baseUrl}/hooks/github`);
    expect(await primaries()).toHaveLength(1);
    await e.screenshot(page, '9-onboarding-github-webhook');
    await dialog().getByRole('button', { name: 'Continue', exact: true }).click();
    expect(await primaries()).toEqual(['Save and continue']);
    await dialog().getByRole('button', { name: 'Skip this step' }).click();
    expect(await primaries()).toEqual(['Finish']);
    await dialog().getByRole('button', { name: 'Finish' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect((await e.t.app.services.settings.view()).tunnel.name).toBe('home');
  });

  it('gives every page its own title', async () => {
    const pages: [string, string, string][] = [
      ['/', 'Dashboard', 'Dashboard · Warp Panel'],
      ['/projects', 'Projects', 'Projects · Warp Panel'],
      ['/projects/new', 'New project', 'New project · Warp Panel'],
      ['/jobs', 'Jobs', 'Jobs · Warp Panel'],
      ['/containers', 'Containers', 'Containers · Warp Panel'],
      ['/tunnel', 'Tunnel', 'Tunnel · Warp Panel'],
      ['/settings', 'Settings', 'Settings · Warp Panel'],
      ['/settings/tokens', 'API tokens', 'API tokens · Warp Panel'],
      ['/audit', 'Audit log', 'Audit log · Warp Panel'],
      ['/notifications', 'Notifications', 'Notifications · Warp Panel'],
      ['/account', 'Account', 'Account · Warp Panel'],
      ['/nowhere', 'Page not found', 'Page not found · Warp Panel'],
    ];
    const seen: string[] = [];
    for (const [url, heading] of pages) {
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await expect.poll(() => page.title()).not.toBe('Warp Panel');
      seen.push(await page.title());
    }
    expect(seen).toEqual(pages.map(([, , title]) => title));
  });

  it('shows a job by its title on its page, in the jobs list and on the dashboard (never its type)', async () => {
    await page.goto('/projects/new');
    await page.getByRole('tab', { name: 'Forward a port' }).click();
    await page.getByLabel('Host port').fill(String(IDLE_PORT));
    await page.getByLabel('Subdomain').fill('words');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop() as string;
    const title = `Publish port ${IDLE_PORT} at words.example.com`;
    await page.getByRole('heading', { level: 1 }).getByText(title).waitFor();
    await expect.poll(() => page.title()).toBe(`${title} · Jobs · Warp Panel`);
    await waitForJob(e.t, await e.t.adminBearer(), jobId);
    await e.screenshot(page, '4-job-title');

    await page.goto('/jobs');
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await expect(row.getByRole('link').textContent()).resolves.toBe(title);
    const links = await page.locator('tr[data-job] td:first-child a').allTextContents();
    expect(links.filter((t) => /^[a-z]+(_[a-z]+)*$/.test(t))).toEqual([]);
    await e.screenshot(page, '4-jobs-list');

    await page.goto('/');
    await page.locator('tr[data-project="words"]').getByText(title).waitFor();
  });

  it('shows a forward nobody answers as degraded, with the reason, on the dashboard, the list and its page', async () => {
    await page.goto('/');
    const row = page.locator('tr[data-project="words"]');
    await row.locator('[data-status="degraded"]').waitFor();
    await expect(row.locator('.status-reason').textContent()).resolves.toContain(String(IDLE_PORT));
    await page.getByTestId('needs-attention').getByRole('link', { name: 'words' }).waitFor();
    await e.screenshot(page, '1-dashboard-degraded-forward');
    await page.goto('/projects?status=attention');
    await page.locator('tr[data-project="words"] [data-status="degraded"]').waitFor();
    await page.locator('tr[data-project="words"]').getByRole('link', { name: 'words', exact: true }).click();
    await page.getByRole('heading', { level: 1 }).locator('[data-status="degraded"]').waitFor();
    await expect(page.getByTestId('status-reason').textContent()).resolves.toContain(String(IDLE_PORT));
    await expect.poll(() => page.title()).toBe('words · Projects · Warp Panel');
  });

  it('puts every validation problem on its field, in words (no zod wording, no internal paths)', async () => {
    await page.goto('/projects/new');
    await page.getByLabel('Subdomain').fill('check');
    await page.getByLabel('Container port').fill('99999');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const image = page.getByLabel('Image');
    const port = page.getByLabel('Container port');
    await expect.poll(() => image.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
    const errorOf = async (input: typeof image) => {
      const id = ((await input.getAttribute('aria-describedby')) ?? '')
        .split(' ')
        .find((x) => x.endsWith('-err'));
      return page.locator(`[id="${id}"]`).textContent();
    };
    await expect(errorOf(image)).resolves.toBe('must not be empty');
    await expect(errorOf(port)).resolves.toBe('must be 65535 or less');
    expect(await page.locator('main').textContent()).not.toMatch(
      /Invalid input|Too big|Too small|expected \w+, received/,
    );
    await e.screenshot(page, '4-validation-on-fields');

    // A problem of a group of settings ("ports") goes on the group's first field, not in a list by its path.
    await page.goto('/settings');
    const first = page.getByLabel('First host port');
    await first.fill('9000');
    await page.getByLabel('Last host port').fill('8000');
    const form = page.locator('form').filter({ has: first });
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => first.getAttribute('aria-invalid')).toBe('true');
    await expect(errorOf(first)).resolves.toBe('start must not be after end');
    expect(await form.textContent()).not.toMatch(/\bports[.:]/);
    await e.screenshot(page, '4-settings-error-on-field');
  });
});
