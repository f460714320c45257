import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneRepo, fetchAndReset } from '../../src/integrations/git/git-clone.js';
import { createRunner } from '../../src/lib/process/runner.js';
import type { Runner, RunOptions } from '../../src/lib/task-context.js';
import { type GitServer, git, startGitServer } from '../fakes/git-server.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
import { capturedLogLines } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('template → generate → clone over real git HTTP with an installation token', () => {
  let gh: FakeGithub;
  let gitServer: GitServer;
  let t: TestApp;
  let work: string;
  const calls: { argv: string[]; options: RunOptions | undefined }[] = [];
  const secrets: string[] = [];
  /** Records argv/options like a job's ctx.run would see them, then runs for real. */
  const recordingRun: Runner = (argv, options) => {
    calls.push({ argv, options });
    return createRunner()(argv, options);
  };

  beforeAll(async () => {
    gh = await startFakeGithub();
    gitServer = await startGitServer({ isValidToken: (token) => gh.isValidInstallationToken(token) });
    gh.state.gitBaseUrl = gitServer.url;
    gh.state.onGenerate = (template, created) =>
      gitServer.copyRepo(`${template.owner}/${template.name}`, `${created.owner}/${created.name}`);
    gh.addRepo({ owner: 'acme', name: 'template-web', isTemplate: true });
    gitServer.createRepo('acme/template-web', {
      'compose.yaml': 'services:\n  web:\n    image: warp-test/busybox\n',
      'README.md': '# starter\n',
    });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-clone-'));
    const keyFile = path.join(work, 'app.pem');
    fs.writeFileSync(keyFile, gh.state.app.privateKeyPem);
    t = await createTestApp({
      env: {
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_GITHUB_APP_ID: gh.state.app.appId,
        WARP_GITHUB_APP_INSTALLATION_ID: gh.state.app.installationId,
        WARP_GITHUB_APP_PRIVATE_KEY_FILE: keyFile,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await gitServer?.close();
    await gh?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('clones the generated repo with the token as a header only, then fetches updates', async () => {
    const { client, app } = t.app.github;
    const repo = await client.generateFromTemplate({
      templateOwner: 'acme',
      templateRepo: 'template-web',
      owner: 'acme',
      name: 'shop',
      private: true,
    });
    await client.waitForContent(repo.owner, repo.name, { initialDelayMs: 5 });
    const { token } = await app.installationToken();
    const dest = path.join(work, 'repos', 'shop');

    await cloneRepo({
      url: repo.cloneUrl,
      dest,
      token,
      run: recordingRun,
      addSecret: (s) => secrets.push(s),
    });
    expect(fs.readFileSync(path.join(dest, 'compose.yaml'), 'utf8')).toContain('warp-test/busybox');
    expect(git(['rev-parse', '--is-shallow-repository'], dest).trim()).toBe('true');

    gitServer.commit('acme/shop', 'README.md', '# changed\n');
    fs.writeFileSync(path.join(dest, 'README.md'), 'local edit\n');
    await fetchAndReset({ dest, token, run: recordingRun });
    expect(fs.readFileSync(path.join(dest, 'README.md'), 'utf8')).toBe('# changed\n');

    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(secrets).toEqual(expect.arrayContaining([token, basic]));
    const gitConfig = fs.readFileSync(path.join(dest, '.git', 'config'), 'utf8');
    expect(gitConfig).toContain(`${gitServer.url}/acme/shop.git`);
    for (const secret of [token, basic]) {
      expect(gitConfig).not.toContain(secret);
      for (const call of calls) expect(call.argv.join(' ')).not.toContain(secret);
      expect(capturedLogLines.join('\n')).not.toContain(secret);
    }
    // The token travels in the environment, as an http.extraHeader, with prompts disabled.
    expect(calls[0]?.options?.env).toMatchObject({
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_KEY_1: `http.${gitServer.url}/.extraHeader`,
      GIT_CONFIG_VALUE_1: `Authorization: Basic ${basic}`,
    });
    expect(gitServer.requests.every((r) => r.ok)).toBe(true);
  });

  it('fails cleanly (no prompt) without a valid token: the server answers 401 first', async () => {
    const dest = path.join(work, 'repos', 'denied');
    const failure = await cloneRepo({
      url: `${gitServer.url}/acme/template-web.git`,
      dest,
      token: 'ghs_wrong',
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'UPSTREAM_ERROR' });
    const denied = gitServer.requests.filter((r) => !r.ok);
    expect(denied.length).toBeGreaterThan(0);
    const anonymous = await cloneRepo({
      url: `${gitServer.url}/acme/template-web.git`,
      dest: path.join(work, 'repos', 'anon'),
      token: null,
    }).catch((e: unknown) => e);
    expect(anonymous).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(gitServer.requests.some((r) => !r.hadAuth)).toBe(true);
  });

  it('refuses URLs with credentials and non-empty targets', async () => {
    const withCreds = await cloneRepo({
      url: `http://x-access-token:secret@127.0.0.1:1/acme/a.git`,
      dest: path.join(work, 'repos', 'creds'),
      token: null,
    }).catch((e: unknown) => e);
    expect(withCreds).toMatchObject({ code: 'VALIDATION_FAILED' });
    const nonEmpty = await cloneRepo({
      url: `${gitServer.url}/acme/template-web.git`,
      dest: path.join(work, 'repos', 'shop'),
      token: null,
    }).catch((e: unknown) => e);
    expect(nonEmpty).toMatchObject({ code: 'CONFLICT' });
  });
});
