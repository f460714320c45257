import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { systemContext } from '../../src/lib/request-context.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
import { capturedLogLines } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const ALLOWLIST = ['acme/template-web', 'acme/not-a-template', 'acme/hidden-template', 'acme/template-api'];

describe('GitHub App: tokens, templates, REST client', () => {
  let gh: FakeGithub;
  let t: TestApp;
  let keyDir: string;
  let cookie: string;

  beforeAll(async () => {
    gh = await startFakeGithub();
    gh.addRepo({ owner: 'acme', name: 'template-web', isTemplate: true, description: 'Web starter' });
    gh.addRepo({
      owner: 'acme',
      name: 'template-api',
      isTemplate: true,
      private: true,
      defaultBranch: 'trunk',
    });
    gh.addRepo({ owner: 'acme', name: 'not-a-template' });
    gh.addRepo({ owner: 'acme', name: 'hidden-template', isTemplate: true, visible: false });
    gh.addRepo({ owner: 'other', name: 'template-x', isTemplate: true });
    // Enough repos for a second page of /installation/repositories.
    for (let i = 0; i < 120; i++) gh.addRepo({ owner: 'acme', name: `filler-${i}` });
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-key-'));
    const keyFile = path.join(keyDir, 'app.pem');
    fs.writeFileSync(keyFile, gh.state.app.privateKeyPem);
    t = await createTestApp({
      env: {
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_GITHUB_APP_ID: gh.state.app.appId,
        WARP_GITHUB_APP_INSTALLATION_ID: gh.state.app.installationId,
        WARP_GITHUB_APP_PRIVATE_KEY_FILE: keyFile,
        WARP_TEMPLATE_ALLOWLIST: ALLOWLIST.join(','),
      },
    });
    cookie = await t.loginCookie();
  });
  afterAll(async () => {
    await t?.close();
    await gh?.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    gh.state.tokenTtlMs = 60 * 60_000;
    gh.state.failNext = null;
  });

  const mints = () => gh.count('POST', /\/access_tokens$/);
  const listCalls = () => gh.count('GET', /\/installation\/repositories$/);
  /** Force the next templates call to go to GitHub (a settings change drops the cache). */
  const touchSettings = () =>
    t.app.services.settings.update(systemContext, { templates: { allowlist: ALLOWLIST } });

  it('lists allow-listed templates the installation can see, across pages, and caches the list', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/templates', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { fullName: 'acme/template-web', description: 'Web starter', private: false, defaultBranch: 'main' },
      { fullName: 'acme/template-api', description: null, private: true, defaultBranch: 'trunk' },
    ]);
    expect(listCalls()).toBe(2);
    const again = await t.app.http.inject({ url: '/api/v1/templates', headers: { cookie } });
    expect(again.json().items).toHaveLength(2);
    expect(listCalls()).toBe(2);
    expect((await t.app.http.inject({ url: '/api/v1/templates' })).statusCode).toBe(401);
  });

  it('answers 502 with a snippet of GitHub’s message when GitHub fails', async () => {
    await touchSettings();
    gh.state.failNext = { path: /\/installation\/repositories$/, status: 500, message: 'kaboom upstream' };
    const res = await t.app.http.inject({ url: '/api/v1/templates', headers: { cookie } });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('kaboom upstream'),
    });
    // Failures are not cached.
    expect((await t.app.http.inject({ url: '/api/v1/templates', headers: { cookie } })).statusCode).toBe(200);
  });

  it('answers 422 when the App is not configured', async () => {
    await t.app.services.settings.update(systemContext, { github: { installationId: null } });
    try {
      const res = await t.app.http.inject({ url: '/api/v1/templates', headers: { cookie } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('PRECONDITION_FAILED');
      expect(await t.app.github.app.test()).toMatchObject({ ok: false });
    } finally {
      await t.app.services.settings.update(systemContext, {
        github: { installationId: gh.state.app.installationId },
      });
    }
  });

  it('re-mints the installation token once after a 401 and retries the call', async () => {
    await t.app.github.app.installationToken();
    const before = mints();
    gh.revokeInstallationTokens();
    const repo = await t.app.github.client.getRepo('acme', 'template-web');
    expect(repo).toMatchObject({ fullName: 'acme/template-web', isTemplate: true, defaultBranch: 'main' });
    expect(mints()).toBe(before + 1);
    // The fresh token is cached again.
    await t.app.github.client.getRepo('acme', 'template-api');
    expect(mints()).toBe(before + 1);
  });

  it('does not reuse a token that is about to expire', async () => {
    gh.state.tokenTtlMs = 2 * 60_000;
    const a = await t.app.github.app.installationToken({ refresh: true });
    const b = await t.app.github.app.installationToken();
    expect(b.token).not.toBe(a.token);
    gh.state.tokenTtlMs = 60 * 60_000;
    const c = await t.app.github.app.installationToken({ refresh: true });
    expect((await t.app.github.app.installationToken()).token).toBe(c.token);
  });

  it('reports the granted permissions in the onboarding check, and a bad key as a failure', async () => {
    expect(await t.app.github.app.test()).toMatchObject({
      ok: true,
      permissions: { administration: 'write', contents: 'read' },
    });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wrongKey = other.export({ type: 'pkcs8', format: 'pem' }).toString();
    await t.app.services.settings.update(systemContext, { github: { appPrivateKey: wrongKey } });
    try {
      const result = await t.app.github.app.test();
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/401/);
      expect(result.message).not.toContain('BEGIN');
    } finally {
      await t.app.services.settings.update(systemContext, {
        github: { appPrivateKey: gh.state.app.privateKeyPem },
      });
    }
    expect((await t.app.github.app.test()).ok).toBe(true);
  });

  it('generates from a template, maps a name collision to CONFLICT and waits through the empty phase', async () => {
    const client = t.app.github.client;
    gh.state.emptyPolls = 3;
    const input = {
      templateOwner: 'acme',
      templateRepo: 'template-web',
      owner: 'acme',
      name: 'my-app',
      private: true,
    };
    const repo = await client.generateFromTemplate(input);
    expect(repo).toMatchObject({ fullName: 'acme/my-app', private: true, isTemplate: false });
    expect(await client.repoExists('acme', 'my-app')).toBe(true);
    expect(await client.repoExists('acme', 'nope')).toBe(false);

    const dup = await client.generateFromTemplate(input).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(AppError);
    expect(dup).toMatchObject({ code: 'CONFLICT' });

    const waited = await client.waitForContent('acme', 'my-app', { initialDelayMs: 5, maxDelayMs: 20 });
    expect(waited.attempts).toBe(4);
    expect(waited.sha).toMatch(/^[0-9a-f]{40}$/);

    const notTemplate = await client
      .generateFromTemplate({ ...input, templateRepo: 'not-a-template', name: 'x2' })
      .catch((e: unknown) => e);
    expect(notTemplate).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('not a template'),
    });
  });

  it('gives up waiting for content after the timeout, and stops when aborted', async () => {
    const client = t.app.github.client;
    gh.state.emptyPolls = 1_000_000;
    await client.generateFromTemplate({
      templateOwner: 'acme',
      templateRepo: 'template-web',
      owner: 'acme',
      name: 'never-ready',
      private: false,
    });
    const timedOut = await client
      .waitForContent('acme', 'never-ready', { timeoutMs: 100, initialDelayMs: 10, maxDelayMs: 20 })
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('still empty'),
    });
    const controller = new AbortController();
    const waiting = client.waitForContent('acme', 'never-ready', {
      signal: controller.signal,
      initialDelayMs: 10,
    });
    controller.abort();
    await expect(waiting).rejects.toThrow();
    gh.state.emptyPolls = 2;
  });

  it('never writes installation tokens or the private key to the logs', () => {
    expect(gh.state.installationTokens.length).toBeGreaterThan(2);
    const logs = capturedLogLines.join('\n');
    for (const { token } of gh.state.installationTokens) expect(logs).not.toContain(token);
    expect(logs).not.toContain('PRIVATE KEY');
    expect(logs).toContain('GitHub App installation token minted');
  });
});
