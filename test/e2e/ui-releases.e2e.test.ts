/**
 * Releases in the real UI against the real engine: the project page lists every release with the live
 * one marked, and "Roll back" (confirmed) runs an earlier release again, after which the page marks it
 * live and the app serves its image again although the tag has moved on.
 */
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployEnv,
  expectJobSucceeded,
  removeProjectContainers,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { releaseImage, retag, served } from '../support/release-images.js';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();
const noDocker = await skipWithoutDocker();

describe.skipIf(!available || noDocker)('releases on the project page (with Docker)', () => {
  let e: E2E;
  let page: Page;
  let docker: Docker;
  let auth: Record<string, string>;
  const run = newRunId();
  const repo = `warp-test/ui-rel-${run}`;
  const projectIds: string[] = [];

  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    e.t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const hostPort = async (id: string) =>
    (await api('GET', `/api/v1/projects/${id}`)).json().hostPort as number;
  const succeeded = (res: Parameters<typeof expectJobSucceeded>[2]) => expectJobSucceeded(e.t, auth, res);

  beforeAll(async () => {
    docker = await requireDocker();
    await releaseImage(docker, 'v1');
    await releaseImage(docker, 'v2');
    await retag(docker, 'warp-test/release-v1:latest', repo);
    e = await startE2E({ env: deployEnv('19720-19739') });
    writeTunnelConfig(e.t);
    await e.t.app.runner.start();
    auth = await e.t.adminBearer();
    await api('PATCH', '/api/v1/onboarding', { completed: true });
    await api('PATCH', '/api/v1/settings', { releases: { drainSeconds: 1 } });
    ({ page } = await e.newPage());
    await e.signIn(page);
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds).catch(() => {});
    await docker
      .getImage(`${repo}:latest`)
      .remove()
      .catch(() => {});
    await e?.close();
  });

  const row = (seq: number) => page.getByRole('row').filter({ hasText: new RegExp(`^#${seq}\\b`) });
  const liveIn = (seq: number) => row(seq).locator('[data-status="live"]');

  it('lists the releases with the live one marked, and rolls back to an earlier one from its row', async () => {
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: `${repo}:latest`,
      subdomain: `uirel${run}`.slice(0, 30),
    });
    const id = res.json().project.id as string;
    projectIds.push(id);
    await succeeded(res);
    await retag(docker, 'warp-test/release-v2:latest', repo);
    await succeeded(await api('POST', `/api/v1/projects/${id}/redeploy`));
    expect(await served(await hostPort(id))).toBe('v2');

    await page.goto(`/projects/${id}`);
    const card = page
      .locator('section, .card')
      .filter({ has: page.getByRole('heading', { name: 'Releases' }) });
    await card.first().waitFor();
    await liveIn(2).waitFor();
    expect(await liveIn(1).count()).toBe(0);
    // The live release offers no rollback to itself; the earlier one does.
    expect(await row(2).getByRole('button', { name: 'Roll back' }).count()).toBe(0);
    await row(1).getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back to release #1?' });
    await dialog.getByRole('button', { name: 'Roll back to #1' }).click();

    // The job page follows the rollback to its end.
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop() as string;
    expect((await waitForJob(e.t, auth, jobId)).status).toBe('succeeded');
    expect(await served(await hostPort(id))).toBe('v1');

    await page.goto(`/projects/${id}`);
    await liveIn(1).waitFor();
    expect(await liveIn(2).count()).toBe(0);
    await row(2).getByRole('button', { name: 'Roll back' }).waitFor();
    await e.screenshot(page, 'releases-after-rollback');
  });
});
