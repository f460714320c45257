import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRASH_IMAGE,
  deployEnv,
  ensureDeployImages,
  removeProjectContainers,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import {
  cleanupDocker,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_IMAGE,
  TEST_LABEL,
} from '../support/docker.js';
import { waitFor, waitForJob } from '../support/job-helpers.js';
import { type HttpReceiver, startHttpReceiver } from '../support/receivers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const SUMMARY_AFTER_MS = 2500;

interface Payload {
  event: string;
  title: string;
  message: string;
  project: { id: string; name: string } | null;
  details: Record<string, unknown> & { containerId?: string; summary?: { count: number } };
  logLines: string[];
  link: string;
}

describe.skipIf(skip)('notifications from the real engine', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let rx: HttpReceiver;
  const run = newRunId();
  const projectId = '0190bbbb-0000-7000-8000-00000000c0de';
  const deployed: string[] = [];

  const payloads = () =>
    rx.requests.filter((r) => r.path === '/all').map((r) => JSON.parse(r.body) as Payload);
  const forContainer = (id: string) => payloads().filter((p) => p.details.containerId === id);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A container of the managed project (label warp.project), not started yet. */
  const managed = (name: string, cmd: string[], restart?: { Name: string }) =>
    docker.createContainer({
      Image: TEST_IMAGE,
      name: `${run}-${name}`,
      Cmd: cmd,
      Labels: { [TEST_LABEL]: run, 'warp.managed': 'true', 'warp.project': projectId },
      HostConfig: { Init: true, ...(restart ? { RestartPolicy: restart } : {}) },
    });

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    await ensureDeployImages(docker);
    rx = await startHttpReceiver();
    t = await createTestApp({
      env: { ...deployEnv('19310-19329'), WARP_PUBLIC_URL: 'https://panel.example.test' },
      app: {
        healthGate: { timeoutMs: 8000, stableMs: 500 },
        notifications: {
          retry: { baseDelayMs: 200, maxDelayMs: 1000, pollMs: 100 },
          grouping: { windowMs: 60_000, summaryAfterMs: SUMMARY_AFTER_MS },
        },
      },
    });
    writeTunnelConfig(t);
    auth = await t.adminBearer();
    const now = new Date().toISOString();
    await t.app.repos.projects.insert({
      id: projectId,
      name: `${run}-app`,
      kind: 'quick',
      subdomain: run,
      status: 'running',
      container_names: '[]',
      spec: '{}',
      created_at: now,
      updated_at: now,
    });
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/notifications/channels',
      headers: auth,
      payload: { name: 'all', type: 'webhook', config: { url: `${rx.url}/all` } },
    });
    expect(res.statusCode).toBe(201);
    await t.app.runner.start();
    // As in production: the watches run with no one watching the UI or the API.
    await t.app.monitors.start();
    await waitFor('the engine event stream', () => t.app.notifications.engineWatch.connected() || undefined);
  });

  afterAll(async () => {
    await t?.close();
    await rx?.close();
    if (docker) {
      await removeProjectContainers(docker, deployed);
      await cleanupDocker(docker, run);
    }
  });

  it('a container that exits 1 reaches the channel as exactly one "exited" message, with its last lines', async () => {
    const c = await managed('crash', [
      'sh',
      '-c',
      'echo starting up; echo about to fail >&2; sleep 1; exit 1',
    ]);
    const startedAt = Date.now();
    await c.start();
    const [msg] = await waitFor(
      'the exited message',
      () => forContainer(c.id).length > 0 && forContainer(c.id),
      30_000,
    );
    // The "within 30 s" (the wait above fails past it); the figure itself is for the report.
    process.stderr.write(
      `crash → channel: ${Date.now() - startedAt} ms (includes the container's 1 s run)\n`,
    );
    expect(msg).toMatchObject({
      event: 'container.exited',
      project: { id: projectId, name: `${run}-app` },
      details: { containerName: `${run}-crash`, exitCode: 1 },
      link: `https://panel.example.test/projects/${projectId}`,
    });
    expect(msg!.message).toMatch(/exited with code 1 and is not running/);
    // stdout and stderr lines, in the engine's order (which need not be the order they were written in).
    expect([...msg!.logLines].sort()).toEqual(['about to fail', 'starting up']);
    // Exactly one: no repeat after a while, and no message for a container someone stopped on purpose.
    const stopped = await managed('stopped', ['sleep', '3600']);
    await stopped.start();
    await stopped.stop({ t: 1 });
    await sleep(3000);
    expect(forContainer(c.id)).toHaveLength(1);
    expect(forContainer(stopped.id)).toEqual([]);
  });

  it('a restart loop sends one message, then one summary of the repeats', async () => {
    const c = await managed('loop', ['sh', '-c', 'echo looping; exit 2'], { Name: 'always' });
    await c.start();
    const [first] = await waitFor(
      'the first restart message',
      () => forContainer(c.id).length > 0 && forContainer(c.id),
    );
    expect(first).toMatchObject({ event: 'container.restarting', details: { exitCode: 2 } });
    expect(first!.details.summary).toBeUndefined();
    // Let it loop a few more times, then stop it (a stop is not a crash).
    await waitFor('three restarts', async () => ((await c.inspect()).RestartCount >= 3 ? true : undefined));
    await c.stop({ t: 1 }).catch(() => {});
    const summary = await waitFor(
      'the summary',
      () => forContainer(c.id).length >= 2 && forContainer(c.id)[1],
      SUMMARY_AFTER_MS + 15_000,
    );
    expect(summary).toMatchObject({ event: 'container.restarting' });
    // How many repeats the summary covers depends on how far the engine's restart backoff got before it
    // went out (under load: sometimes one); what must hold is one message, one summary, no flood.
    expect(summary!.details.summary!.count).toBeGreaterThanOrEqual(1);
    expect(summary!.title).toMatch(/repeated \d+×/);
    await sleep(SUMMARY_AFTER_MS + 1000);
    expect(forContainer(c.id)).toHaveLength(2);
  });

  it('a receiver that is down while an app crashes still gets the message later', async () => {
    const late = await startHttpReceiver();
    await late.stop();
    const channel = (
      await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/notifications/channels',
        headers: auth,
        payload: {
          name: 'late',
          type: 'webhook',
          config: { url: `${late.url}/late` },
          events: ['container.exited'],
        },
      })
    ).json();
    const c = await managed('late', ['sh', '-c', 'exit 5']);
    await c.start();
    await waitFor('failed attempts', async () => {
      const items = (
        await t.app.http.inject({
          url: `/api/v1/notifications/deliveries?channelId=${channel.id}`,
          headers: auth,
        })
      ).json().items;
      return items.length >= 2 && items.every((a: { ok: boolean }) => !a.ok) ? true : undefined;
    });
    expect(late.requests).toEqual([]);
    await late.start();
    const got = await waitFor('the late message', () => late.requests[0]);
    expect(JSON.parse(got.body)).toMatchObject({
      event: 'container.exited',
      details: { containerId: c.id, exitCode: 5 },
    });
    await late.close();
  });

  it('a container that fails its health check is one "unhealthy" message with the probe output', async () => {
    const c = await docker.createContainer({
      Image: TEST_IMAGE,
      name: `${run}-sick`,
      Cmd: ['sleep', '3600'],
      Labels: { [TEST_LABEL]: run, 'warp.managed': 'true', 'warp.project': projectId },
      Healthcheck: {
        Test: ['CMD', 'sh', '-c', 'echo db unreachable; exit 1'],
        Interval: 1e9,
        Timeout: 2e9,
        Retries: 1,
      },
      HostConfig: { Init: true },
    });
    await c.start();
    const [msg] = await waitFor(
      'the unhealthy message',
      () => forContainer(c.id).length > 0 && forContainer(c.id),
      30_000,
    );
    expect(msg).toMatchObject({ event: 'container.unhealthy', details: { containerName: `${run}-sick` } });
    expect(msg!.message).toMatch(/failed its health check: db unreachable/);
    await c.remove({ force: true });
  });

  it('a deploy that works is one "deployed" message with its URL', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/quick-service',
      headers: auth,
      payload: { image: WEB_IMAGE, subdomain: `${run}-ok`.slice(0, 40), containerPort: 80 },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    deployed.push(project.id);
    expect((await waitForJob(t, auth, job.id)).status).toBe('succeeded');
    const msg = await waitFor('the deployed message', () =>
      payloads().find((p) => p.project?.id === project.id),
    );
    expect(msg).toMatchObject({
      event: 'deploy.succeeded',
      link: `https://panel.example.test/jobs/${job.id}`,
    });
    expect(msg.message).toContain(`is live at https://${project.hostname}`);
  });

  it('a failing deploy is one "deploy failed" with the job log tail, and no container message', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/quick-service',
      headers: auth,
      payload: { image: CRASH_IMAGE, subdomain: `${run}-crash`.slice(0, 40), containerPort: 80 },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    deployed.push(project.id);
    const done = await waitForJob(t, auth, job.id);
    expect(done.status).toBe('failed');
    const msg = await waitFor('the deploy message', () =>
      payloads().find((p) => p.event === 'deploy.failed' && p.project?.id === project.id),
    );
    expect(msg.link).toBe(`https://panel.example.test/jobs/${job.id}`);
    expect(msg.details).toMatchObject({ jobId: job.id, jobType: 'docker_run', status: 'failed' });
    expect(msg.logLines.join('\n')).toMatch(/crashing on purpose/);
    await sleep(1500);
    expect(
      payloads()
        .filter((p) => p.project?.id === project.id)
        .map((p) => p.event),
    ).toEqual(['deploy.failed']);
  });
});
