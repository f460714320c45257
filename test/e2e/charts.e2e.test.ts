import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricSampleRow } from '../../src/db/schema.js';
import { type HttpReceiver, startHttpReceiver } from '../support/receivers.js';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();
const projectId = '0190dddd-0000-7000-8000-0000000c4a27';
const MIN = 60_000;

const sample = (target: string, ts: number, v: Partial<MetricSampleRow>): MetricSampleRow => ({
  target,
  ts,
  project_id: null,
  container_name: null,
  cpu: null,
  mem_used: null,
  mem_limit: null,
  net_rx: null,
  net_tx: null,
  blk_read: null,
  blk_write: null,
  restarts: null,
  load1: null,
  disk_data_used: null,
  disk_data_total: null,
  disk_docker_used: null,
  disk_docker_total: null,
  ...v,
});

/** Pixels of the chart's canvas drawn in its first series colour (#4f46e5): the data line, not the axes. */
const linePixels = (page: Page, testId: string) =>
  page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"] canvas`);
    if (!canvas) return -1;
    const ctx = canvas.getContext('2d');
    if (!ctx) return -1;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
      if (a > 200 && Math.abs(r - 79) < 30 && Math.abs(g - 70) < 30 && Math.abs(b - 229) < 30) n++;
    }
    return n;
  }, testId);

describe.skipIf(!available)('metrics charts and notification channels in the browser', () => {
  let e: E2E;
  let page: Page;
  let rx: HttpReceiver;

  beforeAll(async () => {
    rx = await startHttpReceiver();
    e = await startE2E();
    const app = e.t.app;
    const now = Date.now();
    await app.repos.projects.insert({
      id: projectId,
      name: 'charted',
      kind: 'quick',
      subdomain: 'charted',
      status: 'running',
      container_names: '[]',
      spec: '{}',
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
    });
    const rows: MetricSampleRow[] = [];
    // Host: 24 h, one sample every 5 minutes, CPU and memory on a daily wave.
    for (let t = now - 24 * 60 * MIN; t < now; t += 5 * MIN) {
      const wave = Math.sin((t / (6 * 60 * MIN)) * Math.PI);
      rows.push(
        sample('host', t, {
          cpu: 35 + 25 * wave,
          mem_used: (55 + 10 * wave) * 1e8,
          mem_limit: 100e8,
          disk_data_used: 42e9,
          disk_data_total: 100e9,
        }),
      );
    }
    // Two containers of the project: the last hour, every 15 s.
    for (let t = now - 60 * MIN; t < now; t += 15_000) {
      const wave = Math.sin(t / (5 * MIN));
      for (const [i, name] of ['web', 'db'].entries()) {
        rows.push(
          sample(`${name}`.padEnd(64, String(i)), t, {
            project_id: projectId,
            container_name: `charted-${name}`,
            cpu: (i + 1) * (20 + 15 * wave),
            mem_used: (i + 1) * (120 + 30 * wave) * 1024 * 1024,
            mem_limit: 1024 * 1024 * 1024,
          }),
        );
      }
    }
    await app.repos.metrics.insertSamples(rows);
    ({ page } = await e.newPage());
    await e.signIn(page);
    // Straight to the pages under test: the set-up guide is covered by the UI core suite.
    await page.evaluate(() =>
      fetch('/api/v1/onboarding', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-warp-request': '1' },
        body: JSON.stringify({ completed: true }),
      }),
    );
  });
  afterAll(async () => {
    await e?.close();
    await rx?.close();
  });

  it('draws the host CPU, memory and disk of the last 24 h on the dashboard', async () => {
    await page.goto('/');
    const chart = page.getByTestId('chart-Host, last 24 h');
    await chart.locator('canvas').waitFor();
    await expect.poll(() => linePixels(page, 'chart-Host, last 24 h')).toBeGreaterThan(100);
    const legend = await chart.locator('.u-legend').textContent();
    expect(legend).toContain('CPU');
    expect(legend).toContain('Memory');
    expect(legend).toContain('Disk (data dir)');
    await expect(chart.locator('figcaption').textContent()).resolves.toMatch(/Latest: CPU \d/);
    await e.screenshot(page, 'dashboard-charts');
  });

  it("draws each container's CPU and memory on the project page, for 1 h and 7 d", async () => {
    await page.goto(`/projects/${projectId}`);
    const cpu = page.getByTestId('chart-CPU (100 % = one core)');
    await cpu.locator('canvas').waitFor();
    await page.getByTestId('chart-Memory').locator('canvas').waitFor();
    await expect.poll(() => linePixels(page, 'chart-CPU (100 % = one core)')).toBeGreaterThan(100);
    const legend = await cpu.locator('.u-legend').textContent();
    expect(legend).toContain('charted-web');
    expect(legend).toContain('charted-db');
    await e.screenshot(page, 'project-charts-1h');

    const week = page.waitForResponse(
      (r) =>
        r.url().includes('/api/v1/metrics?scope=project') &&
        Number(new URL(r.url()).searchParams.get('from')) < Date.now() - 2 * 86400_000,
    );
    await page.getByRole('button', { name: '7 d' }).click();
    const body = await (await week).json();
    // Over a week the page reads 5-minute buckets (none yet: this history is an hour old).
    expect(body.step % 300).toBe(0);
    await expect
      .poll(() => page.getByRole('button', { name: '7 d' }).getAttribute('aria-pressed'))
      .toBe('true');
    await e.screenshot(page, 'project-charts-7d');
  });

  it('adds a webhook channel, sends a test and shows the real answer', async () => {
    await page.goto('/notifications');
    await page.getByRole('button', { name: 'Add channel' }).click();
    const form = page.getByRole('form', { name: 'New channel' });
    await form.getByLabel('Name').fill('ops');
    await form.getByLabel('URL', { exact: true }).fill(`${rx.url}/ui`);
    await form.getByLabel('Signing secret').fill('ui-secret-value-77f1');
    await e.screenshot(page, 'notifications-new-channel');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('button', { name: 'Send test to ops' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'delivered' }).textContent()).resolves.toMatch(
      /✓ delivered \(HTTP 200\)/,
    );
    expect(rx.requests.filter((r) => r.path === '/ui')).toHaveLength(1);
    expect(await page.content()).not.toContain('ui-secret-value-77f1');
    await e.screenshot(page, 'notifications');
  });
});
