import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deployEnv,
  expectJobSucceeded,
  removeProjectContainers,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { createFakeEdge, type FakeEdge } from '../support/fake-edge.js';
import { waitFor } from '../support/job-helpers.js';
import { releaseImage, retag } from '../support/release-images.js';
import { type LoadResult, startSteadyLoad } from '../support/steady-load.js';
import { type SystemdConnectors, startSystemdConnectors } from '../support/systemd-connectors.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

/**
 * Zero-downtime releases through a tunnel that really proxies: fake cloudflared connectors (they read
 * config.yml at start, answer /ready, drain on SIGTERM) run as systemd template units `<prefix>@N` of
 * the fake systemctl, so the panel's own local-mode restart path — `systemctl restart <unit>`,
 * `is-active`, then `/ready` on the replica's metrics address, one replica after the other — is what
 * applies every route switch. A fake edge spreads a steady 50 req/s over the ready replicas. With two
 * replicas, redeploying app A, rolling A back and deploying app B fail no request to A; the same run
 * with the single cloudflared users have today is reported beside it.
 */
describe.skipIf(skip)('releases without downtime through the tunnel', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let configPath: string;
  const run = newRunId();
  const repo = `warp-test/zd-app-${run}`;
  const projectIds: string[] = [];
  let connectors: SystemdConnectors | null = null;
  let edge: FakeEdge | null = null;

  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const succeeded = (res: Parameters<typeof expectJobSucceeded>[2]) =>
    expectJobSucceeded(t, auth, res, 240_000);
  const quick = async (subdomain: string, image: string) => {
    const res = await api('POST', '/api/v1/projects/quick-service', { image, subdomain });
    projectIds.push(res.json().project.id);
    await succeeded(res);
    return res.json().project.id as string;
  };

  /** Replicas as systemd units, the edge in front of them, and the panel's restart setting for them. */
  async function tunnelWith(count: number, legacy: boolean) {
    connectors = await startSystemdConnectors({ count, configPath, prefix: `warp-zd-${run}-${count}` });
    edge = await createFakeEdge({ replicas: connectors.addresses });
    await edge.waitForReady(count);
    const restart = legacy
      ? { mode: 'systemd', target: connectors.units[0], replicas: [] }
      : { mode: 'systemd', target: connectors.units[0], replicas: connectors.replicas };
    const s = await api('PATCH', '/api/v1/settings', { tunnel: { restart } });
    expect(s.statusCode, s.body).toBe(200);
    return connectors;
  }

  /** Redeploy A, roll A back to its first release, deploy B — while 50 req/s go to A through the edge. */
  async function releasesUnderLoad(label: string) {
    const host = `a${label}${run}`.slice(0, 40);
    await retag(docker, 'warp-test/release-v1:latest', repo);
    const a = await quick(host, `${repo}:latest`);
    await edge!.waitForReady(connectors!.units.length);
    const load = startSteadyLoad({ url: edge!.url, host: `${host}.example.test`, rate: 50 });
    await waitFor('A answers through the edge', async () => load.snapshot().ok >= 25, 30_000);
    const phases: Record<string, { sent: number; failed: number; ms: number }> = {};
    const phase = async (name: string, work: () => Promise<unknown>) => {
      const before = load.snapshot();
      const started = Date.now();
      await work();
      const after = load.snapshot();
      phases[name] = {
        sent: after.sent - before.sent,
        failed: after.failed - before.failed,
        ms: Date.now() - started,
      };
    };
    await phase('redeploy A', async () => {
      await retag(docker, 'warp-test/release-v2:latest', repo);
      await succeeded(await api('POST', `/api/v1/projects/${a}/redeploy`));
    });
    await phase('roll back A', async () => {
      const first = (await api('GET', `/api/v1/projects/${a}/releases`)).json().items.at(-1);
      await succeeded(await api('POST', `/api/v1/projects/${a}/releases/${first.id}/rollback`));
    });
    await phase('deploy B', () => quick(`b${label}${run}`.slice(0, 40), 'warp-test/release-v3:latest'));
    const okBefore = load.snapshot().ok;
    await waitFor('A still answers', async () => load.snapshot().ok >= okBefore + 25, 30_000);
    const result: LoadResult = await load.stop();
    const stats = edge!.stats();
    process.stdout.write(
      `releases through ${connectors!.units.length} cloudflared replica(s)${label === 'single' ? ' (today: one unit, no /ready wait)' : ''}: ` +
        `sent ${result.sent}, ok ${result.ok}, failed ${result.failed} ${JSON.stringify(result.failures)}; ` +
        `${Object.entries(phases)
          .map(([n, p]) => `${n} ${p.failed}/${p.sent} failed in ${(p.ms / 1000).toFixed(1)} s`)
          .join(', ')}; edge 530 ${stats.noReadyReplica}, 502 ${stats.unreachable + stats.replicaFailed}, ` +
        `retries ${stats.retries}; restarts per replica ${connectors!.units.map((_, i) => connectors!.restarts(i)).join('/')}\n`,
    );
    return { result, stats };
  }

  beforeAll(async () => {
    docker = await requireDocker();
    for (const v of ['v1', 'v2', 'v3']) await releaseImage(docker, v);
    t = await createTestApp({ env: deployEnv('18850-18899') });
    configPath = writeTunnelConfig(t);
    auth = await t.adminBearer();
    await api('PATCH', '/api/v1/settings', { releases: { drainSeconds: 2 } });
    t.app.runner.start();
  });

  afterEach(async () => {
    await edge?.close();
    await connectors?.close();
    edge = null;
    connectors = null;
  });

  afterAll(async () => {
    await removeProjectContainers(docker, projectIds);
    await docker
      .getImage(`${repo}:latest`)
      .remove()
      .catch(() => {});
    await t?.close();
  });

  it('two replicas restarted one at a time: redeploy, rollback and a new app fail no request', async () => {
    const c = await tunnelWith(2, false);
    const { result, stats } = await releasesUnderLoad('two');
    expect(result.failures).toEqual({});
    expect(result.failed).toBe(0);
    expect(result.ok).toBe(result.sent);
    expect(stats.noReadyReplica + stats.unreachable + stats.replicaFailed + stats.midStreamAborts).toBe(0);
    // Every switch went through the replicas: each restarted at least for the four publishes.
    expect(c.restarts(0)).toBeGreaterThanOrEqual(4);
    expect(c.restarts(1)).toBe(c.restarts(0));
    expect((await api('GET', '/api/v1/tunnel')).json().restart).toEqual({
      mode: 'systemd',
      replicas: 2,
      warning: null,
    });
  });

  it('many switches close together cost one rolling restart', async () => {
    const c = await tunnelWith(2, false);
    const before = [c.restarts(0), c.restarts(1)];
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        t.app.tunnel.publish({
          projectId: null,
          subdomain: `co${n}${run}`.slice(0, 40),
          service: `http://localhost:${9000 + n}`,
        }),
      ),
    );
    expect(results.every((r) => r.restarted)).toBe(true);
    expect([c.restarts(0), c.restarts(1)]).toEqual([before[0]! + 1, before[1]! + 1]);
  });

  it('one replica (the setting users have today) drops requests on every switch', async () => {
    await tunnelWith(1, true);
    const overview = (await api('GET', '/api/v1/tunnel')).json();
    expect(overview.restart).toMatchObject({ replicas: 1, warning: expect.stringMatching(/single replica/) });
    const { result } = await releasesUnderLoad('single');
    expect(result.failed).toBeGreaterThan(0);
  });
});
