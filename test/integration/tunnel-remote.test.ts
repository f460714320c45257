import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/features/settings/settings.service.js';
import { createTunnelService } from '../../src/features/tunnel/tunnel.service.js';
import { systemClock } from '../../src/lib/clock.js';
import { type FakeDnsRecord, fourConnections, startFakeCloudflareApi } from '../fakes/cloudflare-api.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const IDS = {
  token: 'cf-test-token-0123456789',
  accountId: '0123456789abcdef0123456789abcdef',
  tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef',
  zoneId: 'fedcba9876543210fedcba9876543210',
};
const TARGET = `${IDS.tunnelId}.cfargotunnel.com`;

/** A foreign rule with origin settings (JSON durations are integer seconds). */
const FOREIGN_RULE = {
  hostname: 'legacy.example.com',
  service: 'https://localhost:8443',
  originRequest: { noTLSVerify: true, connectTimeout: 30, httpHostHeader: 'legacy.internal' },
};

const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe('tunnel publishing in remote mode (Cloudflare API)', () => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof startFakeCloudflareApi>>;
  let tunnel: ReturnType<typeof createTunnelService>;
  const foreignRecords: FakeDnsRecord[] = [
    {
      id: 'rec-a',
      name: 'legacy.example.com',
      type: 'A',
      content: '203.0.113.9',
      proxied: true,
      ttl: 1,
      comment: null,
    },
    {
      id: 'rec-b',
      name: 'shared.example.com',
      type: 'CNAME',
      content: TARGET,
      proxied: true,
      ttl: 1,
      comment: 'by hand',
    },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    api = await startFakeCloudflareApi(IDS);
    const settings = {
      baseDomain: 'example.com',
      tunnel: {
        mode: 'remote',
        name: null,
        id: IDS.tunnelId,
        accountId: IDS.accountId,
        configPath: '/nonexistent/config.yml',
        dnsMode: 'api',
        restart: { mode: 'systemd', target: 'must-not-be-restarted' },
      },
      cloudflare: { apiToken: IDS.token, zoneId: IDS.zoneId },
    } as unknown as Settings;
    tunnel = createTunnelService({
      settings: { get: async () => settings },
      routes: t.app.repos.routes,
      config: {
        cloudflaredBin: '/bin/false',
        systemctlBin: '/bin/false',
        dataDir: t.dataDir,
        cloudflare: { apiUrl: api.url, apiToken: null },
      },
      docker: () => t.app.docker,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await api.close();
    await t.close();
  });
  beforeEach(async () => {
    await t.app.db.kysely.deleteFrom('routes').execute();
    api.state.config = {
      ingress: [FOREIGN_RULE, { service: 'http_status:404' }],
      'warp-routing': { enabled: false },
    };
    api.state.records.splice(0, api.state.records.length, ...foreignRecords.map((r) => ({ ...r })));
    api.state.clients = fourConnections();
    api.state.requests.length = 0;
  });

  it('merges only its own rule into the remote config and creates a marked, proxied CNAME', async () => {
    const result = await tunnel.publish(
      { projectId: null, subdomain: 'app', service: 'http://localhost:8101' },
      {
        log: silent,
      },
    );
    expect(result).toMatchObject({
      hostname: 'app.example.com',
      dns: 'created',
      restarted: false,
      configChanged: true,
    });
    expect(api.state.config).toEqual({
      ingress: [
        FOREIGN_RULE,
        { hostname: 'app.example.com', service: 'http://localhost:8101' },
        { service: 'http_status:404' },
      ],
      'warp-routing': { enabled: false },
    });
    const created = api.state.records.find((r) => r.name === 'app.example.com');
    expect(created).toMatchObject({
      type: 'CNAME',
      content: TARGET,
      proxied: true,
      ttl: 1,
      comment: 'managed by warp-panel',
    });
    expect((await t.app.repos.routes.byHostname('app.example.com'))?.dns_record_id).toBe(created?.id);
    const again = await tunnel.publish(
      { projectId: null, subdomain: 'app', service: 'http://localhost:8101' },
      {
        log: silent,
      },
    );
    expect(again).toMatchObject({ dns: 'exists', configChanged: false });
    // A non-empty first page makes the SDK ask for the next one; the fake answers [] and listing ends.
    expect(api.state.requests.some((r) => r.path.includes('dns_records?') && r.path.includes('page=2'))).toBe(
      true,
    );
    expect(api.state.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);

    await tunnel.unpublish((await t.app.repos.routes.byHostname('app.example.com'))?.project_id ?? 'none', {
      log: silent,
    });
  });

  it('removes its rule and its own record, never a record it did not create', async () => {
    await tunnel.publish(
      { projectId: null, subdomain: 'shared', service: 'http://localhost:8102' },
      { log: silent },
    );
    const row = await t.app.repos.routes.byHostname('shared.example.com');
    expect(row).toMatchObject({ dns_state: 'exists', dns_record_id: null });
    // Orphaned rows (no project) are removed by id here; projects use unpublish(projectId).
    const projectId = 'p-shared';
    await t.app.db.kysely.updateTable('routes').set({ project_id: null }).execute();
    expect(await tunnel.unpublish(projectId, { log: silent })).toEqual({ removed: [] });

    await t.app.db.kysely.deleteFrom('routes').execute();
    api.state.config = { ingress: [FOREIGN_RULE, { service: 'http_status:404' }] };
    const p = await insertProject(t, 'app');
    await tunnel.publish(
      { projectId: p, subdomain: 'app', service: 'http://localhost:8101' },
      { log: silent },
    );
    const q = await insertProject(t, 'shared');
    await tunnel.publish(
      { projectId: q, subdomain: 'shared', service: 'http://localhost:8102' },
      { log: silent },
    );
    expect(api.state.records.map((r) => r.name).sort()).toEqual([
      'app.example.com',
      'legacy.example.com',
      'shared.example.com',
    ]);

    const lines: string[] = [];
    const log = {
      info: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      error: (l: string) => lines.push(l),
    };
    await tunnel.unpublish(p, { log });
    await tunnel.unpublish(q, { log });
    expect(api.state.config).toEqual({ ingress: [FOREIGN_RULE, { service: 'http_status:404' }] });
    expect(api.state.records.map((r) => r.id).sort()).toEqual(['rec-a', 'rec-b']);
    expect(api.state.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/shared\.example\.com was not created by the panel; left in place/);
  });

  it('refuses a name held by a foreign A record (CONFLICT) and creates nothing', async () => {
    const err = await tunnel
      .publish({ projectId: null, subdomain: 'legacy', service: 'http://localhost:8103' }, { log: silent })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect((err as Error).message).toMatch(/remove the existing A\/AAAA\/CNAME record/);
    expect(api.state.records).toHaveLength(2);
    expect(api.state.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('reports health from the API connections', async () => {
    expect(await tunnel.health()).toMatchObject({
      status: 'ok',
      mode: 'remote',
      connections: 4,
      config: { valid: true },
    });
    api.state.clients = [
      {
        ...(fourConnections()[0] as (typeof api.state.clients)[0]),
        conns: [{ id: 'x', colo_name: 'ams01' }],
      },
    ];
    expect(await tunnel.health()).toMatchObject({ status: 'degraded', connections: 1 });
    api.state.clients = [];
    expect(await tunnel.health()).toMatchObject({ status: 'down', connections: 0 });
    const overview = await tunnel.overview();
    expect(overview).toMatchObject({ mode: 'remote', id: IDS.tunnelId, connections: [] });
    expect(overview.rules[0]).toMatchObject({ hostname: 'legacy.example.com', managed: false });
  });

  it('never sends the token anywhere but the Authorization header', async () => {
    await tunnel.configPreview();
    expect(JSON.stringify(api.state.requests)).not.toContain(IDS.token);
  });
});

async function insertProject(t: TestApp, sub: string): Promise<string> {
  const { newId } = await import('../../src/lib/ids.js');
  const id = newId();
  const now = new Date().toISOString();
  await t.app.repos.projects.insert({
    id,
    name: sub,
    kind: 'forward',
    subdomain: sub,
    hostname: `${sub}.example.com`,
    host_port: null,
    status: 'pending',
    repo_owner: null,
    repo_name: null,
    repo_url: null,
    image: null,
    path: null,
    compose_project: null,
    container_names: '[]',
    spec: '{}',
    created_by: null,
    created_at: now,
    updated_at: now,
    last_job_id: null,
  });
  return id;
}
