import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/features/settings/settings.service.js';
import { createTunnelService } from '../../src/features/tunnel/tunnel.service.js';
import { systemClock } from '../../src/lib/clock.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
} from '../support/docker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const CLOUDFLARED = fileURLToPath(new URL('../fakes/cloudflared', import.meta.url));
const CONFIG = 'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ningress:\n  - service: http_status:404\n';
const skip = await skipWithoutDocker();

const silentLog = { info: () => {}, warn: () => {}, error: () => {} };

describe.skipIf(skip)('tunnel restart through the Docker engine', () => {
  let t: TestApp;
  let docker: Docker;
  const runId = newRunId();

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    t = await createTestApp();
  });
  afterAll(async () => {
    await cleanupDocker(docker, runId);
    await t?.close();
  });

  function setup(container: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-tunnel-docker-'));
    fs.writeFileSync(path.join(dir, 'config.yml'), CONFIG);
    const settings = {
      baseDomain: 'example.com',
      tunnel: {
        mode: 'local',
        name: 'home',
        id: null,
        accountId: null,
        configPath: path.join(dir, 'config.yml'),
        dnsMode: 'cli',
        restart: { mode: 'docker', target: container },
      },
      cloudflare: { apiToken: null, zoneId: null },
    } as unknown as Settings;
    const tunnel = createTunnelService({
      settings: { get: async () => settings },
      routes: t.app.repos.routes,
      config: {
        cloudflaredBin: CLOUDFLARED,
        systemctlBin: '/bin/false',
        dataDir: dir,
        cloudflare: { apiUrl: 'http://127.0.0.1:9/client/v4', apiToken: null },
      },
      docker: () => t.app.docker,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      restartWindowMs: 50,
      restartPoll: { timeoutMs: 5_000, intervalMs: 100, settleMs: 300 },
    });
    return { dir, tunnel };
  }

  it('restarts the tunnel container once the config changed', async () => {
    const name = `${runId}-cloudflared`;
    const container = await createTestContainer(docker, runId, { name });
    const before = (await container.inspect()).State.StartedAt;
    const { dir, tunnel } = setup(name);
    const result = await tunnel.publish(
      { projectId: null, subdomain: 'dock', service: 'http://localhost:8800' },
      { log: silentLog },
    );
    expect(result.restarted).toBe(true);
    const after = await container.inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
    expect(fs.readFileSync(path.join(dir, 'config.yml'), 'utf8')).toContain('dock.example.com');
    expect(tunnel.overview).toBeTypeOf('function');
  });

  it('fails with both facts and the old config when the container is gone', async () => {
    const { dir, tunnel } = setup(`${runId}-missing`);
    const err = await tunnel
      .publish({ projectId: null, subdomain: 'gone', service: 'http://localhost:8801' }, { log: silentLog })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/did not come back after docker restart .*-missing/);
    expect((err as Error).message).toMatch(
      /restored config\.yml from the backup .* did not come back after the second restart/,
    );
    expect(fs.readFileSync(path.join(dir, 'config.yml'), 'utf8')).toBe(CONFIG);
  });
});
