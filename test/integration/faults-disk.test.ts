/**
 * Fault injection: the file system holding cloudflared's config.yml is full (a 64 KiB tmpfs, filled to
 * the last block) when a publish writes it. The job must fail cleanly — config.yml byte-identical, no
 * temp file left, no route recorded as applied — and once space is back, a redeploy publishes.
 * Needs root (mount); skipped elsewhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEnv, jobLog } from '../support/deploy-env.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const CONFIG =
  'tunnel: home\ncredentials-file: /etc/cloudflared/home.json\ningress:\n  - hostname: nas.example.test\n    service: http://192.168.1.10:5000\n  - service: http_status:404\n';

function mountTmpfs(dir: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status === 0;
}
const umount = (dir: string) => spawnSync('umount', [dir]);

/** Whether this machine lets the test mount a tmpfs (root, mount available). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-mnt-probe-'));
  const ok = mountTmpfs(probe);
  if (ok) umount(probe);
  fs.rmSync(probe, { recursive: true, force: true });
  return ok;
}

/** Fill the file system of `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  try {
    for (;;) fs.writeSync(fd, chunk, 0, 1);
  } catch {}
  fs.closeSync(fd);
  return filler;
}

const mountable = canMount();

describe.skipIf(!mountable)('disk full while writing config.yml', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let mnt: string;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-full-'));
    expect(mountTmpfs(mnt)).toBe(true);
    fs.writeFileSync(path.join(mnt, 'config.yml'), CONFIG);
    server = http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
    t = await createTestApp({
      env: { ...deployEnv('18900-18949'), WARP_CLOUDFLARED_CONFIG: path.join(mnt, 'config.yml') },
    });
    auth = await t.adminBearer();
    t.app.runner.start();
  });
  afterAll(async () => {
    await t?.close();
    server?.close();
    umount(mnt);
    fs.rmSync(mnt, { recursive: true, force: true });
  });

  it('fails the job cleanly, keeps the old config byte for byte, and publishes once space is back', async () => {
    const filler = fill(mnt);
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/forwards',
      headers: auth,
      payload: { port, subdomain: 'full' },
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, auth, res.json().job.id);
    const log = await jobLog(t, auth, job.id);
    expect(job.status, log).toBe('failed');
    expect(job.error.code).not.toBe('INTERNAL');
    expect(log).toMatch(/ENOSPC|no space/i);
    expect(fs.readFileSync(path.join(mnt, 'config.yml'), 'utf8')).toBe(CONFIG);
    expect(fs.readdirSync(mnt).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const routes = await t.app.db.kysely.selectFrom('routes').selectAll().execute();
    expect(routes.filter((r) => r.ingress_state === 'applied')).toEqual([]);

    fs.rmSync(filler);
    const again = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${res.json().project.id}/redeploy`,
      headers: auth,
    });
    expect(again.statusCode, again.body).toBe(202);
    const ok = await waitForJob(t, auth, again.json().job.id);
    expect(ok.status, await jobLog(t, auth, ok.id)).toBe('succeeded');
    const config = fs.readFileSync(path.join(mnt, 'config.yml'), 'utf8');
    expect(config).toContain(`  - hostname: full.example.test\n    service: http://localhost:${port}`);
    expect(
      config.startsWith(
        'tunnel: home\ncredentials-file: /etc/cloudflared/home.json\ningress:\n  - hostname: nas.example.test',
      ),
    ).toBe(true);
  });
});
