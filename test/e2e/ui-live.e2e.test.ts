/**
 * Issue points 1, 2, 5, 6 and 7 in the real UI against the real engine: status as the containers tell it
 * (stopped, missing, degraded) with Stop / Start / Restart; a failed deploy fixed on its page and deployed
 * again (a held subdomain links to its holder); the live moment (Open, copy URL and port) and a toast
 * when a job ends elsewhere in the app; logs coloured by what they say with filter, timestamps, history and
 * download; the containers page managed-only, grouped, sortable, with CPU and memory, cards on a phone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRASH_IMAGE,
  deployEnv,
  ensureDeployImages,
  removeComposeProjects,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
} from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { chromiumAvailable } from './support/chromium.js';
import { type E2E, startE2E } from './support/e2e-harness.js';

const available = chromiumAvailable();
const noDocker = await skipWithoutDocker();

describe.skipIf(!available || noDocker)('the panel as users live in it (with Docker)', () => {
  let e: E2E;
  let page: Page;
  let docker: Docker;
  let auth: Record<string, string>;
  const run = newRunId();
  const projectIds: string[] = [];
  const composeProjects: string[] = [];
  // The quick service of the first test: its subdomain is the one another project asks for later.
  const live = { id: '', name: `live-${run}`, subdomain: `live-${run}`.slice(0, 40), url: '' };

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    await ensureDeployImages(docker);
    e = await startE2E({ env: deployEnv('19340-19369') });
    writeTunnelConfig(e.t);
    await e.t.app.runner.start();
    await e.t.app.projectStatus.start();
    auth = await e.t.adminBearer();
    await e.t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/onboarding',
      headers: auth,
      payload: { completed: true },
    });
    ({ page } = await e.newPage({ permissions: ['clipboard-read', 'clipboard-write'] }));
    await e.signIn(page);
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds).catch(() => {});
    await removeComposeProjects(docker, composeProjects).catch(() => {});
    await cleanupDocker(docker, run).catch(() => {});
    await e?.close();
  });

  const heading = () => page.getByRole('heading', { level: 1 });
  const statusIs = (status: string, timeout = 60_000) =>
    heading().locator(`[data-status="${status}"]`).waitFor({ timeout });
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const jobIdFromUrl = async () => {
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    return page.url().split('/').pop() as string;
  };

  it('deploys a quick service and shows the live moment: Open https://…, copy URL and port', async () => {
    await page.goto('/projects/new');
    await page.getByLabel('Image').fill(WEB_IMAGE);
    await page.getByLabel('Subdomain').fill(live.subdomain);
    await page.getByLabel('Container name (optional)').fill(live.name);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const jobId = await jobIdFromUrl();
    const job = await e.t.app.services.jobs.get(jobId);
    live.id = job.projectId as string;
    projectIds.push(live.id);
    await heading().getByText(`Deploy ${live.subdomain}.example.test (quick service)`).waitFor();
    await statusIs('succeeded', 90_000);
    live.url = `https://${live.subdomain}.example.test`;
    const open = page.getByRole('link', { name: `Open ${live.url}` });
    await open.waitFor();
    expect(await open.getAttribute('href')).toBe(live.url);
    expect(await open.getAttribute('target')).toBe('_blank');
    await page.getByRole('button', { name: 'Copy URL' }).click();
    await expect.poll(clipboard).toBe(live.url);
    const project = (await e.t.app.http.inject({ url: `/api/v1/projects/${live.id}`, headers: auth })).json();
    await page.getByRole('button', { name: `Copy port ${project.hostPort}` }).click();
    await expect.poll(clipboard).toBe(String(project.hostPort));
    await e.screenshot(page, '5-job-live-moment');
  });

  it('stops a project from its page and tells with a toast elsewhere in the app when the job ended', async () => {
    await page.goto(`/projects/${live.id}`);
    await statusIs('running');
    expect(await page.getByRole('button', { name: 'Start', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Restart', exact: true }).waitFor();
    await e.screenshot(page, '1-project-running');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Stop queued' }).waitFor();
    // Wherever the user goes meanwhile, the end of the job is announced.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const toast = page
      .getByRole('region', { name: 'Notifications' })
      .getByRole('status')
      .filter({ hasText: `Stop ${live.subdomain}.example.test: done` });
    await toast.waitFor({ timeout: 60_000 });
    await toast.getByRole('link', { name: 'View log' }).waitFor();
    await e.screenshot(page, '5-toast-job-ended');
    expect((await docker.getContainer(live.name).inspect()).State.Running).toBe(false);

    await page.goto(`/projects/${live.id}`);
    await statusIs('stopped');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await statusIs('running');
    expect((await docker.getContainer(live.name).inspect()).State.Running).toBe(true);
  });

  it('shows a project whose container was removed on the host as missing, everywhere, and recreates it', async () => {
    await docker.getContainer(live.name).remove({ force: true });
    await page.goto('/');
    const row = page.locator(`tr[data-project="${live.name}"]`);
    await row.locator('[data-status="missing"]').waitFor({ timeout: 60_000 });
    await expect(row.locator('.status-reason').textContent()).resolves.toBe('its containers are gone');
    await page.getByTestId('needs-attention').getByRole('link', { name: live.name }).waitFor();
    await e.screenshot(page, '1-dashboard-missing');
    await page.goto('/projects?status=missing');
    await page.locator(`tr[data-project="${live.name}"] [data-status="missing"]`).waitFor();
    await page.goto(`/projects/${live.id}`);
    await statusIs('missing');
    // Nothing to stop or start: the way back is a redeploy.
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(0);
    await e.screenshot(page, '1-project-missing');
    await page.getByRole('button', { name: 'Redeploy (recreate its containers)' }).click();
    const jobId = await jobIdFromUrl();
    expect((await waitForJob(e.t, auth, jobId)).status).toBe('succeeded');
    await page.goto(`/projects/${live.id}`);
    await statusIs('running');
  });

  it('shows a compose project degraded when one of its containers stops, and starts it again', async () => {
    const dir = path.join(e.t.app.config.reposRoot, `pair-${run}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      `services:\n  web:\n    image: ${WEB_IMAGE}\n    init: true\n    ports:\n      - "80"\n  worker:\n    image: ${WEB_IMAGE}\n    command: ["sleep", "3600"]\n    init: true\n`,
    );
    const res = await e.t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/deploy-existing',
      headers: auth,
      payload: { path: `pair-${run}`, subdomain: `pair-${run}`.slice(0, 40) },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    projectIds.push(project.id);
    composeProjects.push(project.composeProject);
    expect((await waitForJob(e.t, auth, job.id)).status).toBe('succeeded');
    const [worker] = await docker.listContainers({
      filters: {
        label: [`com.docker.compose.project=${project.composeProject}`, 'com.docker.compose.service=worker'],
      },
    });
    await docker.getContainer(worker!.Id).stop({ t: 1 });

    await page.goto(`/projects/${project.id}`);
    await statusIs('degraded');
    await expect(page.getByTestId('status-reason').textContent()).resolves.toMatch(
      /1 of 2 containers is not running: .*worker/,
    );
    for (const label of ['Start', 'Restart', 'Stop']) {
      await page.getByRole('button', { name: label, exact: true }).waitFor();
    }
    await e.screenshot(page, '1-project-degraded');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await statusIs('running');
    expect((await docker.getContainer(worker!.Id).inspect()).State.Running).toBe(true);
  });

  it('lets a project whose first deploy failed be fixed on its page and deployed again', async () => {
    await page.goto('/projects/new');
    await page.getByLabel('Image').fill(CRASH_IMAGE);
    await page.getByLabel('Subdomain').fill(`fix-${run}`.slice(0, 40));
    await page.getByLabel('Container name (optional)').fill(`fix-${run}`);
    await page.getByRole('button', { name: 'Deploy' }).click();
    const jobId = await jobIdFromUrl();
    const projectId = (await e.t.app.services.jobs.get(jobId)).projectId as string;
    projectIds.push(projectId);
    await statusIs('failed', 90_000);
    await page.getByRole('link', { name: 'Change the project and deploy again' }).click();

    await statusIs('failed');
    await page.getByTestId('deploy-failed').waitFor();
    const form = page.getByRole('form', { name: 'Project settings' });
    await page.getByRole('region', { name: 'Fix and deploy again' }).waitFor();
    await expect(form.getByLabel('Image').inputValue()).resolves.toBe(CRASH_IMAGE);

    // The subdomain of the live project is held: the error says by whom and links to it.
    await form.getByLabel('Subdomain').fill(live.subdomain);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    const sub = form.getByLabel('Subdomain');
    await expect.poll(() => sub.getAttribute('aria-invalid')).toBe('true');
    const errorId = ((await sub.getAttribute('aria-describedby')) ?? '')
      .split(' ')
      .find((x) => x.endsWith('-err'));
    const error = page.locator(`[id="${errorId}"]`);
    await expect(error.textContent()).resolves.toBe(`held by project ${live.name} — open it`);
    expect(await error.getByRole('link', { name: 'open it' }).getAttribute('href')).toBe(
      `/projects/${live.id}`,
    );
    await e.screenshot(page, '2-subdomain-held');

    await sub.fill(`fix-${run}`.slice(0, 40));
    await form.getByLabel('Image').fill(WEB_IMAGE);
    await form.getByRole('button', { name: 'Save and deploy again' }).click();
    const again = await jobIdFromUrl();
    expect(again).not.toBe(jobId);
    await statusIs('succeeded', 90_000);
    await page.getByRole('link', { name: `Open https://fix-${run}.example.test`.slice(0, 100) }).waitFor();
    const fixed = (await e.t.app.http.inject({ url: `/api/v1/projects/${projectId}`, headers: auth })).json();
    expect(fixed).toMatchObject({ status: 'running', image: WEB_IMAGE });
    await page.goto(`/projects/${projectId}`);
    await statusIs('running');
    await e.screenshot(page, '2-fixed-and-running');
  });

  it('colours container logs by what a line says, and filters, stamps, sizes and downloads them', async () => {
    const name = `${run}-talker`;
    await createTestContainer(docker, run, {
      name,
      labels: { 'warp.managed': 'true' },
      cmd: [
        'sh',
        '-c',
        "printf 'error: boom\\nwarning: careful\\ninfo: fine\\n'; echo 'Downloading 50%' >&2; printf '\\033[32mgreen ok\\033[0m\\n'; i=0; while true; do echo \"tick $i\"; i=$((i+1)); sleep 1; done",
      ],
    });
    await page.goto('/containers');
    await page.getByLabel('Name or image').fill(run);
    await page.getByRole('button', { name: `Logs of ${name}` }).click();
    const log = page.getByRole('log', { name: 'Container logs' });
    const line = (text: string) => log.locator('.logline').filter({ hasText: text });
    await line('tick 2').waitFor({ timeout: 30_000 });
    expect(await line('error: boom').getAttribute('data-level')).toBe('error');
    expect(await line('warning: careful').getAttribute('data-level')).toBe('warn');
    expect(await line('info: fine').getAttribute('data-level')).toBe('info');
    // Progress on stderr is not an error.
    expect(await line('Downloading 50%').getAttribute('data-level')).toBeNull();
    await line('green ok').locator('.ansi-fg-2').waitFor();
    await e.screenshot(page, '6-container-logs');

    await page.getByLabel('Filter log lines').fill('warn');
    await expect.poll(() => log.locator('.logline').count()).toBe(1);
    await expect(page.getByTestId('line-count').textContent()).resolves.toMatch(/^1 of \d+ lines$/);
    await page.getByLabel('Filter log lines').fill('');
    await page.getByLabel('Timestamps').check();
    await expect(line('error: boom').locator('time').getAttribute('datetime')).resolves.toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );
    await page.getByLabel('Lines of history').selectOption('500');
    await line('error: boom').waitFor();

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const file = await (await download).path();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(`${name} | error: boom`);
    expect(text).toContain(`${name} | green ok`);
    expect(text).not.toContain('\x1b');
  });

  it('shows the panel’s containers grouped by project, sortable, with CPU and memory; all of them on request', async () => {
    await createTestContainer(docker, run, { name: `${run}-host` });
    await page.goto('/containers');
    await page.getByLabel('Name or image').fill(run);
    const group = page.locator(`tbody[data-group="Not in a project"]`);
    await group.locator(`tr[data-container="${run}-talker"]`).waitFor();
    // Not the panel's: hidden until an admin asks.
    expect(await page.locator(`tr[data-container="${run}-host"]`).count()).toBe(0);
    await page.getByLabel(/Show containers the panel does not manage/).check();
    await page.locator(`tr[data-container="${run}-host"]`).waitFor();
    await page.getByLabel(/Show containers the panel does not manage/).uncheck();

    await page.getByLabel('Name or image').fill('');
    await page.getByLabel('Project').selectOption({ label: live.name });
    const own = page.locator(`tbody[data-group="${live.name}"] tr[data-container="${live.name}"]`);
    await own.waitFor();
    const image = own.getByTestId('image');
    await expect(image.textContent()).resolves.toBe('warp-test/web:latest');
    await expect(image.getAttribute('title')).resolves.toMatch(/image sha256:[0-9a-f]{64}/);
    await expect
      .poll(() => own.getByTestId('memory').textContent(), { timeout: 45_000 })
      .toMatch(/\d+(\.\d)? (KiB|MiB)/);
    await expect
      .poll(() => own.getByTestId('cpu').textContent(), { timeout: 45_000 })
      .toMatch(/^\d+(\.\d)? %$/);
    await e.screenshot(page, '7-containers');

    // Sortable: by name, then reversed.
    await page.getByLabel('Project').selectOption({ label: 'any' });
    await page.getByLabel('Name or image').fill(run);
    await page.getByLabel(/Show containers the panel does not manage/).check();
    const names = () =>
      page
        .locator('tbody[data-group="Not in a project"] tr[data-container]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-container')));
    await expect.poll(names).toEqual([`${run}-host`, `${run}-talker`]);
    await page.getByRole('button', { name: 'Name' }).click();
    await expect.poll(names).toEqual([`${run}-talker`, `${run}-host`]);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Name');

    // On a phone: cards, not a table.
    const phone = await e.newPage({ width: 390, height: 844, colorScheme: 'dark' });
    await e.signIn(phone.page);
    await phone.page.goto('/containers');
    await phone.page.getByLabel('Name or image').fill(run);
    await phone.page.locator(`li.ccard[data-container="${run}-talker"]`).waitFor();
    expect(await phone.page.locator('table.containers-table').count()).toBe(0);
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await e.screenshot(phone.page, '7-containers-phone-dark');

    // The project page and the dashboard stay right at 390 px in dark mode too.
    await phone.page.goto(`/projects/${live.id}`);
    await phone.page.getByRole('heading', { level: 1 }).locator('[data-status="running"]').waitFor();
    await phone.page.getByRole('link', { name: `Open ${live.url}` }).waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await e.screenshot(phone.page, '1-project-phone-dark');
    await phone.page.goto('/');
    await phone.page.locator(`tr[data-project="${live.name}"]`).waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await e.screenshot(phone.page, '1-dashboard-phone-dark');
  });
});
