import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedBranch } from '../../src/integrations/git/git-clone.js';
import { createRunner } from '../../src/lib/process/runner.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('least privilege: files, cookies and git refs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    // A write, so SQLite has its WAL and shared-memory files open.
    await t.app.services.settings.update(
      { actor: null, requestId: null, ip: null },
      { baseDomain: 'example.test' },
    );
  });
  afterAll(async () => t?.close());

  it('keeps the data dir to its owner (0700) and the database, WAL and key file at 0600', () => {
    expect(mode(t.dataDir)).toBe(0o700);
    const db = path.join(t.dataDir, 'warp.db');
    for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(t.dataDir, 'secret.key')]) {
      if (fs.existsSync(f)) expect(mode(f), f).toBe(0o600);
    }
    expect(fs.existsSync(db)).toBe(true);
  });

  it('tightens a data dir that was created open', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-open-'));
    fs.chmodSync(dir, 0o755);
    const other = await createTestApp({ env: { WARP_DATA_DIR: dir } });
    try {
      expect(mode(dir)).toBe(0o700);
    } finally {
      await other.close();
    }
  });

  it('names the session cookie __Host- with Secure when the public URL is https', async () => {
    const secure = await createTestApp({ env: { WARP_PUBLIC_URL: 'https://panel.example.test' } });
    try {
      const { token } = await secure.app.services.auth.issueLoginToken('cli');
      const res = await secure.app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
      const cookie = res.cookies.find((c) => c.name === '__Host-warp_session');
      expect(cookie).toMatchObject({ secure: true, path: '/', httpOnly: true });
      expect(cookie?.domain).toBeUndefined();
      const me = await secure.app.http.inject({
        url: '/auth/me',
        headers: { cookie: `__Host-warp_session=${cookie?.value}` },
      });
      expect(me.statusCode).toBe(200);
    } finally {
      await secure.close();
    }
  });

  it('judges branch names with git’s own rules', async () => {
    const run = createRunner();
    for (const good of ['main', 'feature/x', 'release-1.2', 'ü-branch']) {
      await expect(checkedBranch(run, good)).resolves.toBe(good);
    }
    for (const bad of [
      '-x',
      '--upload-pack=touch /tmp/pwned',
      'a..b',
      'a b',
      'x.lock',
      'a~1',
      'a^',
      'a:b',
      '',

      'a//b',
      'HEAD\\x',
    ]) {
      await expect(checkedBranch(run, bad), JSON.stringify(bad)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
  });
});
