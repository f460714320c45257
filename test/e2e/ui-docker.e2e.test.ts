import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployEnv,
  ensureDeployImages,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import {
  cleanupDocker,
  createTestContainer,
  createTestVolume,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
} from '../support/docker.js';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();
const noDocker = await skipWithoutDocker();

describe.skipIf(!available || noDocker)('web UI with Docker', () => {
  let e: E2E;
  let page: Page;
  let docker: Docker;
  const runId = newRunId();
  const projectIds: string[] = [];

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    await ensureDeployImages(docker);
    e = await startE2E({ env: deployEnv('19700-19719') });
    writeTunnelConfig(e.t);
    e.t.app.runner.start();
    // The admin has been through onboarding already: these tests are about containers and jobs.
    const auth = await e.t.adminBearer();
    await e.t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/onboarding',
      headers: auth,
      payload: { completed: true },
    });
    ({ page } = await e.newPage());
    await e.signIn(page);
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds).catch(() => {});
    await cleanupDocker(docker, runId).catch(() => {});
    await e?.close();
  });

  const running = async (id: string) => (await docker.getContainer(id).inspect()).State.Running;

  it('stops, restarts and removes a real container (with its volume), and streams its logs', async () => {
    const name = `${runId}-box`;
    const volume = await createTestVolume(docker, runId, `${runId}-vol`);
    const container = await createTestContainer(docker, runId, {
      name,
      binds: [`${volume}:/data`],
      cmd: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'],
    });
    await page.goto('/containers');
    await page.getByLabel('Name or image').fill(runId);
    // Not one of the panel's own: an admin shows it on request.
    await page.getByLabel(/Show containers the panel does not manage/).check();
    const row = page.locator(`tr[data-container="${name}"]`);
    await row.getByText('running', { exact: true }).waitFor();

    await page.getByRole('button', { name: `Logs of ${name}` }).click();
    await page
      .getByRole('log', { name: 'Container logs' })
      .getByText(/tick \d+/)
      .first()
      .waitFor();
    await e.screenshot(page, 'containers-logs');

    await page.getByRole('button', { name: `Stop ${name}` }).click();
    await row.getByText('exited', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await running(container.id)).toBe(false);

    await page.getByRole('button', { name: `Start ${name}` }).click();
    await row.getByText('running', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await running(container.id)).toBe(true);

    await page.getByRole('button', { name: `Remove ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove ${name}?` });
    await dialog.getByLabel(/Also remove its volumes/).check();
    await e.screenshot(page, 'containers-remove-confirm');
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await expect(docker.getContainer(container.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getVolume(volume).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('deploys a quick service and follows its job log live to "succeeded"', async () => {
    await page.goto('/projects/new');
    await page.getByLabel('Image').fill(WEB_IMAGE);
    await page.getByLabel('Subdomain').fill(`ui-${runId}`.slice(0, 30));
    await page.getByLabel('Container port').fill('80');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop() as string;
    const job = await e.t.app.services.jobs.get(jobId).catch(() => null);
    if (job?.projectId) projectIds.push(job.projectId);
    await page
      .getByRole('heading', { level: 1 })
      .getByText('succeeded', { exact: true })
      .waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('stream-state').textContent()).resolves.toBe('Finished');
    const log = page.getByRole('log', { name: 'Job log' });
    expect(await log.locator('.logline').count()).toBeGreaterThan(2);
    // Every persisted line is shown exactly once (live stream de-duplicated by seq).
    const texts = await log.locator('.logline').allTextContents();
    const res = await e.t.app.http.inject({
      url: `/api/v1/jobs/${jobId}/logs`,
      headers: await e.t.adminBearer(),
    });
    const stored = (res.json() as { lines: { text: string }[] }).lines.map((l) => l.text);
    expect(texts.length).toBe(stored.length);
    expect(await page.getByRole('region', { name: 'Steps' }).locator('.step-done').count()).toBeGreaterThan(
      0,
    );
    await e.screenshot(page, 'job-view');
  });
});
