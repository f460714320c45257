import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { parseIngressConfig, validateIngress } from '../../src/domain/ingress/index.js';
import type { Settings } from '../../src/features/settings/settings.service.js';
import { createTunnelService } from '../../src/features/tunnel/tunnel.service.js';
import { createConfigStore } from '../../src/integrations/cloudflare/config-store.js';
import { systemClock } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/ids.js';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const FAKES = fileURLToPath(new URL('../fakes/', import.meta.url));
const CLOUDFLARED = path.join(FAKES, 'cloudflared');
const SYSTEMCTL = path.join(FAKES, 'systemctl');
/** Where the fake systemctl keeps unit state (its default; each test uses its own unit name). */
const SYSTEMCTL_DIR = '/tmp/warp-fake-systemctl';

/** A hand-written config with comments, odd spacing, originRequest blocks and a wildcard. */
const FOREIGN = `# managed by hand — do not lose this comment
tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
credentials-file: /etc/cloudflared/6ff42ae2.json   # trailing comment

ingress:
    # the old blog, with a custom origin
    - hostname:   blog.example.com
      service: https://localhost:8443
      originRequest:
          noTLSVerify: true
          connectTimeout: 30s
    - hostname: "grafana.example.com"
      path: ^/api/.*$
      service: http://127.0.0.1:3000   # metrics
    - {hostname: ssh.example.com, service: ssh://localhost:22}
    # everything else
    - service: http_status:404
`;

const engines = await testEngines();

/** Settings for one test: local mode, the fake binaries, the config in `dir`. */
function settingsFor(
  dir: string,
  restart: Omit<Settings['tunnel']['restart'], 'replicas'> & Partial<Settings['tunnel']['restart']>,
): Settings {
  return {
    baseDomain: 'example.com',
    tunnel: {
      mode: 'local',
      name: 'home',
      id: null,
      accountId: null,
      configPath: path.join(dir, 'config.yml'),
      dnsMode: 'cli',
      restart: { replicas: [], ...restart },
    },
    cloudflare: { apiToken: null, zoneId: null },
  } as unknown as Settings;
}

/** A job-log stand-in that records lines. */
function recorder() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (t: string) => lines.push(`info ${t}`),
      warn: (t: string) => lines.push(`warn ${t}`),
      error: (t: string) => lines.push(`error ${t}`),
    },
  };
}

const readCalls = (file: string): { argv: string[] }[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[] })
    : [];

describe.each(engines)('tunnel publishing in local mode on %s', (engine) => {
  let t: TestApp;
  let dir: string;
  let unit: string;

  beforeAll(async () => {
    t = await createTestApp({ engine });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.app.db.kysely.deleteFrom('routes').execute();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-tunnel-'));
    fs.writeFileSync(path.join(dir, 'config.yml'), FOREIGN, { mode: 0o640 });
    unit = `cfd-${randomBytes(5).toString('hex')}`;
  });

  const restarts = () =>
    readCalls(path.join(SYSTEMCTL_DIR, `${unit}.calls.jsonl`)).filter((c) => c.argv[0] === 'restart');
  const dnsCalls = () =>
    readCalls(path.join(dir, '.fake-cloudflared', 'calls.jsonl')).filter((c) => c.argv.includes('route'));
  const configText = () => fs.readFileSync(path.join(dir, 'config.yml'), 'utf8');

  async function project(subdomain: string): Promise<string> {
    const id = newId();
    const now = new Date().toISOString();
    await t.app.repos.projects.insert({
      id,
      name: subdomain,
      kind: 'forward',
      subdomain,
      hostname: `${subdomain}.example.com`,
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

  function service(settings: Settings, opts: { windowMs?: number } = {}) {
    return createTunnelService({
      settings: { get: async () => settings },
      routes: t.app.repos.routes,
      config: {
        cloudflaredBin: CLOUDFLARED,
        systemctlBin: SYSTEMCTL,
        dataDir: dir,
        cloudflare: { apiUrl: 'http://127.0.0.1:9/client/v4', apiToken: null },
      },
      docker: () => t.app.docker,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      restartWindowMs: opts.windowMs ?? 100,
      restartPoll: { timeoutMs: 500, intervalMs: 50, settleMs: 300 },
    });
  }

  it('adds its rule before the catch-all, keeps foreign rules byte-for-byte, and removes only its own', async () => {
    const tunnel = service(settingsFor(dir, { mode: 'none', target: null }));
    const rec = recorder();
    const result = await tunnel.publish(
      { projectId: await project('app'), subdomain: 'app', service: 'http://localhost:8101' },
      rec,
    );
    expect(result).toMatchObject({ hostname: 'app.example.com', dns: 'created', configChanged: true });
    const added = '    - hostname: app.example.com\n      service: http://localhost:8101\n';
    const at = FOREIGN.indexOf('    # everything else');
    expect(configText()).toBe(FOREIGN.slice(0, at) + added + FOREIGN.slice(at));
    expect(validateIngress(parseIngressConfig(configText()).rules)).toEqual([]);
    expect(fs.statSync(path.join(dir, 'config.yml')).mode & 0o777).toBe(0o640);
    expect(dnsCalls().map((c) => c.argv)).toEqual([
      ['tunnel', '--config', path.join(dir, 'config.yml'), 'route', 'dns', 'home', 'app.example.com'],
    ]);
    expect(fs.readdirSync(path.join(dir, 'tunnel-backups'))).toHaveLength(1);

    const row = await t.app.repos.routes.byHostname('app.example.com');
    const removed = await tunnel.unpublish(row?.project_id as string, rec);
    expect(removed.removed).toEqual(['app.example.com']);
    expect(configText()).toBe(FOREIGN);
    expect(await t.app.repos.routes.byHostname('app.example.com')).toBeUndefined();
    expect(rec.lines.join('\n')).toMatch(/CNAME for app\.example\.com stays in place/);
  });

  it('lands ten concurrent publishes with one restart, the catch-all last and no duplicates', async () => {
    const tunnel = service(settingsFor(dir, { mode: 'systemd', target: unit }), { windowMs: 5_000 });
    const subs = Array.from({ length: 10 }, (_, i) => `svc${i}`);
    const ids = await Promise.all(subs.map((s) => project(s)));
    const results = await Promise.all(
      subs.map((s, i) =>
        tunnel.publish(
          { projectId: ids[i] as string, subdomain: s, service: `http://localhost:${8200 + i}` },
          recorder(),
        ),
      ),
    );
    expect(results.every((r) => r.restarted)).toBe(true);
    const rules = parseIngressConfig(configText()).rules;
    expect(validateIngress(rules)).toEqual([]);
    expect(rules.at(-1)).toMatchObject({ hostname: null, service: 'http_status:404' });
    for (const s of subs) expect(rules.filter((r) => r.hostname === `${s}.example.com`)).toHaveLength(1);
    expect(rules.slice(0, 3).map((r) => r.hostname)).toEqual([
      'blog.example.com',
      'grafana.example.com',
      'ssh.example.com',
    ]);
    expect(configText().startsWith(FOREIGN.slice(0, FOREIGN.indexOf('    # everything else')))).toBe(true);
    expect(restarts()).toHaveLength(1);
    expect(tunnel.overview).toBeTypeOf('function');
  });

  it('does not restart when nothing changed', async () => {
    const tunnel = service(settingsFor(dir, { mode: 'systemd', target: unit }));
    const input = { projectId: await project('same'), subdomain: 'same', service: 'http://localhost:8300' };
    const first = await tunnel.publish(input, recorder());
    expect(first).toMatchObject({ configChanged: true, restarted: true });
    const again = await tunnel.publish(input, recorder());
    expect(again).toMatchObject({ configChanged: false, restarted: false, dns: 'exists' });
    expect(restarts()).toHaveLength(1);
  });

  it('restores the backup and restarts again when the tunnel does not come back', async () => {
    fs.mkdirSync(SYSTEMCTL_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(SYSTEMCTL_DIR, `${unit}.json`),
      JSON.stringify({
        failIfConfigContains: { path: path.join(dir, 'config.yml'), text: 'broken.example.com' },
      }),
    );
    const tunnel = service(settingsFor(dir, { mode: 'systemd', target: unit }));
    const rec = recorder();
    const err = await tunnel
      .publish(
        { projectId: await project('broken'), subdomain: 'broken', service: 'http://localhost:8400' },
        rec,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    const message = (err as AppError).message;
    expect(message).toMatch(/did not come back after systemctl restart/);
    expect(message).toMatch(/restored config\.yml from the backup .*tunnel-backups.* and restarted/);
    expect(configText()).toBe(FOREIGN);
    expect(restarts()).toHaveLength(2);
    expect(rec.lines.some((l) => l.startsWith('error the tunnel did not come back'))).toBe(true);
    expect((await t.app.repos.routes.byHostname('broken.example.com'))?.ingress_state).toBe('pending');
    // The next publish does not bring the broken rule back.
    await tunnel.publish(
      { projectId: await project('fine'), subdomain: 'fine', service: 'http://localhost:8401' },
      recorder(),
    );
    expect(configText()).not.toContain('broken.example.com');
    expect(configText()).toContain('fine.example.com');
  });

  it('reports DNS code 1003 as a CONFLICT that says what to do, and writes nothing', async () => {
    fs.mkdirSync(path.join(dir, '.fake-cloudflared'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.fake-cloudflared', 'conflicts'), 'taken.example.com\n');
    const tunnel = service(settingsFor(dir, { mode: 'systemd', target: unit }));
    const err = await tunnel
      .publish(
        { projectId: await project('taken'), subdomain: 'taken', service: 'http://localhost:8500' },
        recorder(),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect((err as Error).message).toMatch(
      /code 1003.*remove the existing A\/AAAA\/CNAME record.*pick another subdomain/,
    );
    expect(configText()).toBe(FOREIGN);
    expect(restarts()).toHaveLength(0);
  });

  it('refuses a hostname a hand-written rule already routes, and an invalid merged config', async () => {
    const tunnel = service(settingsFor(dir, { mode: 'none', target: null }));
    await expect(tunnel.assertNotHandWritten('blog')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      tunnel.publish(
        { projectId: await project('blog'), subdomain: 'blog', service: 'http://localhost:1' },
        recorder(),
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(configText()).toBe(FOREIGN);

    const broken = FOREIGN.replace('service: http://127.0.0.1:3000', 'service: 127.0.0.1:3000');
    fs.writeFileSync(path.join(dir, 'config.yml'), broken);
    const err = await tunnel
      .publish(
        { projectId: await project('new'), subdomain: 'new', service: 'http://localhost:8600' },
        recorder(),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    // cloudflared's own words (Go's url.Parse): the service is not a URL.
    expect((err as Error).message).toMatch(/first path segment in URL cannot contain colon/);
    expect(configText()).toBe(broken);
  });

  it('checks the base domain, the label and the hostname', async () => {
    const settings = settingsFor(dir, { mode: 'none', target: null });
    const tunnel = service({ ...settings, baseDomain: null } as Settings);
    await expect(tunnel.hostnameFor('app')).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    const ok = service(settings);
    await expect(ok.hostnameFor('www')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(ok.hostnameFor('a.b')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      ok.publish({ projectId: null, hostname: 'app.example.org', service: 'http://localhost:1' }, recorder()),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await ok.hostnameFor('App')).toBe('app.example.com');
  });

  it('serialises writers of two panel processes with the lock file', async () => {
    const settings = settingsFor(dir, { mode: 'none', target: null });
    const a = service(settings);
    const b = service(settings);
    const subs = Array.from({ length: 6 }, (_, i) => `lock${i}`);
    const ids = await Promise.all(subs.map((s) => project(s)));
    await Promise.all(
      subs.map((s, i) =>
        (i % 2 ? a : b).publish(
          { projectId: ids[i] as string, subdomain: s, service: `http://localhost:${8700 + i}` },
          recorder(),
        ),
      ),
    );
    const hosts = parseIngressConfig(configText()).rules.map((r) => r.hostname);
    for (const s of subs) expect(hosts).toContain(`${s}.example.com`);
    expect(fs.existsSync(path.join(dir, 'config.yml.warp.lock'))).toBe(false);
  });
});

describe('config.yml store', () => {
  it('merges a hand edit made between read and write instead of overwriting it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-store-'));
    const file = path.join(dir, 'config.yml');
    fs.writeFileSync(file, 'ingress:\n  - service: http_status:404\n');
    const store = createConfigStore({ configPath: file, backupDir: path.join(dir, 'b'), clock: systemClock });
    const seen: string[] = [];
    const result = await store.update((text) => {
      seen.push(text ?? '');
      if (seen.length === 1) {
        // Someone edits the file by hand while the panel is computing its change.
        fs.writeFileSync(
          file,
          'ingress:\n  - hostname: hand.example.com\n    service: http://localhost:1\n  - service: http_status:404\n',
        );
      }
      return (text ?? '').replace(
        '  - service: http_status:404\n',
        '  - hostname: panel.example.com\n    service: http://localhost:2\n  - service: http_status:404\n',
      );
    });
    expect(seen).toHaveLength(2);
    expect(result.changed).toBe(true);
    const final = fs.readFileSync(file, 'utf8');
    expect(final).toContain('hand.example.com');
    expect(final).toContain('panel.example.com');
  });

  it('keeps the ten newest backups', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-store-'));
    const file = path.join(dir, 'config.yml');
    fs.writeFileSync(file, 'v: 0\n');
    const store = createConfigStore({ configPath: file, backupDir: path.join(dir, 'b'), clock: systemClock });
    for (let i = 1; i <= 12; i++) await store.update(() => `v: ${i}\n`);
    const backups = fs.readdirSync(path.join(dir, 'b')).sort();
    expect(backups).toHaveLength(10);
    const contents = backups.map((f) => fs.readFileSync(path.join(dir, 'b', f), 'utf8')).sort();
    expect(contents).not.toContain('v: 0\n');
    expect(contents).toContain('v: 11\n');
  });
});
