/**
 * Push to deploy on the real engine: a real `git push` into the git http-backend server makes the fake
 * GitHub send a signed `push` webhook to the panel (over HTTP), the panel deploys exactly the pushed
 * commit with compose, and the app serves that commit's content. Commit statuses go back to the fake
 * GitHub; deploy hooks deploy without GitHub.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../fakes/git-server.js';
import { type FakeGithub, startFakeGithub } from '../fakes/github-server.js';
import {
  deployEnv,
  ensureDeployImages,
  jobLog,
  removeComposeProjects,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { newRunId, requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitFor, waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const RUN = newRunId();
const REPO = `acme/site-${RUN}`;
const DEV_TOKEN = `dev-${RUN}-push-token`;
const SECRET = `whsec-${RUN}-0123456789`;

/** A compose file whose app serves `text` at / — a new commit changes what is served only once deployed. */
const site = (text: string) =>
  [
    'services:',
    '  web:',
    `    image: ${WEB_IMAGE}`,
    '    init: true',
    `    command: ["sh", "-c", "echo ${text} > /tmp/index.html && exec httpd -f -p 80 -h /tmp"]`,
    '    ports:',
    '      - "80"',
    '',
  ].join('\n');
/** A commit whose app exits at once: its deploy fails the health gate. */
const BROKEN = site('x').replace(/command: .*/, 'command: ["sh", "-c", "echo broken on purpose; exit 3"]');

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        res.on('end', () => resolve(body.trim()));
      })
      .on('error', reject);
  });
}

describe.skipIf(skip)('push to deploy on the real engine', () => {
  let gh: FakeGithub;
  let git: GitServer;
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let projectId: string;
  let composeProject: string;
  let publicUrl: string;

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    gh = await startFakeGithub();
    git = await startGitServer({
      isValidToken: (token) => token === DEV_TOKEN || gh.isValidInstallationToken(token),
    });
    gh.state.gitBaseUrl = git.url;
    gh.addRepo({ owner: 'acme', name: REPO.split('/')[1]! });
    git.createRepo(REPO, { 'compose.yaml': site('v1') });
    // What GitHub does after a push: one `push` delivery per ref moved.
    git.onPush((fullName, updates) => {
      for (const u of updates) void gh.deliver('push', gh.pushPayload(fullName, u));
    });
    t = await createTestApp({
      env: {
        ...deployEnv('19100-19149'),
        WARP_GITHUB_API_URL: gh.apiUrl,
        WARP_GITHUB_WEB_URL: gh.webUrl,
        WARP_GITHUB_APP_ID: gh.state.app.appId,
        WARP_GITHUB_APP_INSTALLATION_ID: gh.state.app.installationId,
        WARP_PUBLIC_URL: 'http://panel.example.test:8080',
        WARP_TEMPLATE_ALLOWLIST: `acme/tpl-${RUN}`,
      },
      healthGate: { stableMs: 500 },
    });
    publicUrl = t.app.config.publicUrl;
    writeTunnelConfig(t);
    auth = await t.adminBearer();
    const settings = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { github: { appPrivateKey: gh.state.app.privateKeyPem, webhookSecret: SECRET } },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.http.server.address() as AddressInfo).port;
    gh.state.webhook = { url: `http://127.0.0.1:${port}/hooks/github`, secret: SECRET };
    t.app.runner.start();
  });

  afterAll(async () => {
    if (composeProject) await removeComposeProjects(docker, [composeProject]);
    await t?.close();
    await git?.close();
    await gh?.close();
  });

  const project = async () =>
    (await t.app.http.inject({ url: `/api/v1/projects/${projectId}`, headers: auth })).json();
  const jobsOf = async () =>
    (await t.app.http.inject({ url: `/api/v1/jobs?projectId=${projectId}`, headers: auth })).json().items as {
      id: string;
      status: string;
      input: { commit?: string };
    }[];
  const statesOf = (commit: string) => gh.state.statuses.filter((s) => s.sha === commit).map((s) => s.state);
  /** Wait until the fake GitHub's deliveries were answered and the project's jobs all finished. */
  async function settle(): Promise<void> {
    await gh.settled();
    await waitFor(
      'the project to be idle',
      async () => (await jobsOf()).every((j) => !['queued', 'running'].includes(j.status)),
      120_000,
    );
  }
  const served = async () => get((await project()).hostPort);

  it('deploys the repo (tracking its default branch) and reports the commit status', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/deploy-existing',
      headers: auth,
      payload: { repo: REPO, subdomain: `site-${RUN}`, name: `p2d-${RUN}` },
    });
    expect(res.statusCode, res.body).toBe(202);
    projectId = res.json().project.id;
    composeProject = res.json().project.composeProject;
    const done = await waitForJob(t, auth, res.json().job.id);
    expect(done.status, await jobLog(t, auth, done.id)).toBe('succeeded');
    expect(await served()).toBe('v1');
    const head = git.head(REPO)!;
    await waitFor('the success status', () => statesOf(head).includes('success'));
    expect(statesOf(head)).toEqual(['pending', 'success']);
    const status = gh.state.statuses.find((s) => s.sha === head && s.state === 'success')!;
    expect(status.targetUrl).toBe(`${publicUrl}/jobs/${done.id}`);
    expect(status.context).toBe(`warp-panel/site-${RUN}.example.test`);
  });

  it('ignores a wrongly signed or unsigned push; the signed redelivery deploys the pushed commit, once', async () => {
    const jobsBefore = (await jobsOf()).length;
    gh.state.webhook!.secret = 'not-the-secret';
    const v2 = await git.push(REPO, { 'compose.yaml': site('v2') }, { token: DEV_TOKEN });
    await gh.settled();
    gh.state.webhook!.secret = SECRET;
    const wrong = gh.state.deliveries.at(-1)!;
    expect(wrong.status, wrong.answer).toBe(401);
    const unsigned = await gh.deliver('push', JSON.parse(wrong.body.toString()), {
      unsigned: true,
      deliveryId: wrong.id,
    });
    expect(unsigned.status).toBe(401);
    expect((await jobsOf()).length).toBe(jobsBefore);
    expect(await served()).toBe('v1');

    // GitHub's "Redeliver" sends the same body and delivery id, signed with the secret set now.
    const signed = await gh.redeliver(wrong.id);
    expect(signed.status, signed.answer).toBe(200);
    const { outcomes } = JSON.parse(signed.answer);
    expect(outcomes[0]).toMatchObject({ projectId, result: 'deployed' });
    await settle();
    const job = await waitForJob(t, auth, outcomes[0].jobId);
    const log = await jobLog(t, auth, job.id);
    expect(job.status, log).toBe('succeeded');
    expect(log).toContain(`checked out ${v2}`);
    expect(await served()).toBe('v2');
    expect(statesOf(v2)).toEqual(['pending', 'pending', 'success']);

    const again = await gh.redeliver(wrong.id);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.answer)).toMatchObject({ duplicate: true });
    expect((await jobsOf()).length).toBe(jobsBefore + 1);
    type Row = { deliveryId: string; result: string };
    const results = async (url: string) =>
      ((await t.app.http.inject({ url, headers: auth })).json().items as Row[])
        .filter((d) => d.deliveryId === wrong.id)
        .map((d) => d.result);
    // The refused attempts name no project (nothing about them was trusted); the settings list shows all.
    expect(await results(`/api/v1/projects/${projectId}/deliveries`)).toEqual(['deployed']);
    expect(await results('/api/v1/deliveries')).toEqual(['deployed', 'rejected', 'rejected']);
  });

  it('does nothing for a push to another branch, a tag or a deleted branch (but records each)', async () => {
    const jobsBefore = (await jobsOf()).length;
    const tag = `v-${RUN}`;
    await git.push(REPO, { 'compose.yaml': site('feature') }, { token: DEV_TOKEN, branch: 'feature', tag });
    await git.deleteRef(REPO, 'refs/heads/feature', DEV_TOKEN);
    await gh.settled();
    const answers = gh.state.deliveries.slice(-3).map((d) => JSON.parse(d.answer).outcomes[0]);
    expect(answers).toEqual([
      expect.objectContaining({ result: 'ignored', reason: 'push to feature; the project tracks main' }),
      expect.objectContaining({ result: 'ignored', reason: `tag ${tag}: only pushes to a branch deploy` }),
      expect.objectContaining({ result: 'ignored', reason: 'branch feature was deleted' }),
    ]);
    expect((await jobsOf()).length).toBe(jobsBefore);
    expect(await served()).toBe('v2');
  });

  it('three quick pushes: at most two deploys, the middle one dropped (its log says so), the newest live', async () => {
    const jobsBefore = (await jobsOf()).length;
    const release = git.holdFetches(); // the first deploy stays in its fetch while the others arrive
    try {
      const v3 = await git.push(REPO, { 'compose.yaml': site('v3') }, { token: DEV_TOKEN });
      await gh.settled();
      const first = JSON.parse(gh.state.deliveries.at(-1)!.answer).outcomes[0];
      await waitFor(
        'the first deploy to run',
        async () => (await t.app.jobs.get(first.jobId)).status === 'running',
      );
      const v4 = await git.push(REPO, { 'compose.yaml': site('v4') }, { token: DEV_TOKEN });
      const v5 = await git.push(REPO, { 'compose.yaml': site('v5') }, { token: DEV_TOKEN });
      await gh.settled();
      const [second, third] = gh.state.deliveries.slice(-2).map((d) => JSON.parse(d.answer).outcomes[0]);
      expect(second).toMatchObject({ result: 'queued' });
      expect(third).toMatchObject({ result: 'queued' });
      expect((await t.app.jobs.get(second.jobId)).status).toBe('canceled');
      const dropped = await jobLog(t, auth, second.jobId);
      expect(dropped).toContain(`a newer push to main (${v5.slice(0, 12)}) deploys instead`);
      release();
      await settle();
      const jobs = (await jobsOf()).slice(0, (await jobsOf()).length - jobsBefore).reverse();
      expect(jobs.map((j) => [j.status, j.input.commit])).toEqual([
        ['succeeded', v3],
        ['canceled', v4],
        ['succeeded', v5],
      ]);
      // The first deploy fetched after v5 was pushed, and still deployed exactly v3.
      expect(await jobLog(t, auth, first.jobId)).toContain(`checked out ${v3}`);
      expect(await served()).toBe('v5');
      expect(statesOf(v4)).toEqual(['pending', 'error']);
      await waitFor('v5 success', () => statesOf(v5).includes('success'));
      expect(statesOf(v5).at(-1)).toBe('success');
    } finally {
      release();
    }
  });

  it('reports pending → failure for a broken commit', async () => {
    const broken = await git.push(REPO, { 'compose.yaml': BROKEN }, { token: DEV_TOKEN });
    await settle();
    const outcome = JSON.parse(gh.state.deliveries.at(-1)!.answer).outcomes[0];
    const job = await t.app.jobs.get(outcome.jobId);
    expect(job.status).toBe('failed');
    await waitFor('the failure status', () => statesOf(broken).includes('failure'));
    expect(statesOf(broken)).toEqual(['pending', 'pending', 'failure']);
    const failure = gh.state.statuses.find((s) => s.sha === broken && s.state === 'failure')!;
    expect(failure.targetUrl).toBe(`${publicUrl}/jobs/${job.id}`);
  });

  it('deploy hook: deploys a given commit without GitHub; a rotated token stops the old one', async () => {
    const made = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/deploy-hook`,
      headers: auth,
    });
    expect(made.statusCode, made.body).toBe(201);
    const first = made.json().token as string;
    const rotated = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/deploy-hook`,
      headers: auth,
    });
    const token = rotated.json().token as string;
    const call = (bearer: string, payload: unknown) =>
      t.app.http.inject({
        method: 'POST',
        url: `/hooks/deploy/${projectId}`,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    const v5 = (await jobsOf()).find((j) => j.status === 'succeeded')!.input.commit!;
    expect((await call(first, { commit: v5 })).statusCode).toBe(401);
    // Without the statuses permission the deploy still succeeds; the job log warns.
    delete gh.state.app.permissions.statuses;
    const res = await call(token, { commit: v5 });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, auth, res.json().job.id);
    const log = await jobLog(t, auth, job.id);
    expect(job.status, log).toBe('succeeded');
    expect(log).toContain('could not set the commit status on GitHub');
    expect(log).toContain('Commit statuses: write');
    expect(await served()).toBe('v5');
    gh.state.app.permissions.statuses = 'write';
  });

  it("refreshes the template list when the App's installation changes", async () => {
    const templates = async () =>
      (
        (await t.app.http.inject({ url: '/api/v1/templates', headers: auth })).json().items as {
          fullName: string;
        }[]
      ).map((x) => x.fullName);
    expect(await templates()).toEqual([]);
    gh.addRepo({ owner: 'acme', name: `tpl-${RUN}`, isTemplate: true });
    expect(await templates()).toEqual([]); // the list is cached
    const d = await gh.deliver('installation_repositories', {
      action: 'added',
      installation: { id: Number(gh.state.app.installationId) },
      repositories_added: [{ full_name: `acme/tpl-${RUN}` }],
    });
    expect(d.status, d.answer).toBe(200);
    expect(await templates()).toEqual([`acme/tpl-${RUN}`]);
  });
});
