/**
 * A deploy cannot escape to the host: compose projects are judged on the model Compose resolved
 * (override files, extends, interpolation included), refused with the service and the key, and run
 * only once an admin granted the exception for that project (audited).
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallers } from '../support/authz-callers.js';
import {
  deployEnv,
  ensureDeployImages,
  removeComposeProjects,
  WEB_IMAGE,
  writeTunnelConfig,
} from '../support/deploy-env.js';
import { requireDocker, skipWithoutDocker } from '../support/docker.js';
import { waitForJob } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();

const web = (extra = '') => `services:\n  web:\n    image: ${WEB_IMAGE}\n    ports: ["80"]\n${extra}`;

describe.skipIf(skip)('least privilege: compose projects that reach the host', { timeout: 180_000 }, () => {
  let t: TestApp;
  let docker: Docker;
  let callers: Awaited<ReturnType<typeof createCallers>>;
  let repos: string;
  const composeProjects: string[] = [];

  const folder = (name: string, files: Record<string, string>) => {
    const dir = path.join(repos, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  };

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    t = await createTestApp({ env: { ...deployEnv('18900-18949'), WARP_COMPOSE: 'docker compose' } });
    writeTunnelConfig(t);
    repos = t.app.config.reposRoot;
    callers = await createCallers(t);
    folder('rootfs', {
      'compose.yaml': web(
        '    volumes:\n      - /:/host\n      - /var/run/docker.sock:/var/run/docker.sock\n',
      ),
    });
    // The escape arrives through the override file and interpolation, not the main file's text.
    folder('sneaky', {
      'compose.yaml': web(),
      'compose.override.yaml': 'services:\n  web:\n    privileged: ${PRIV}\n    pid: host\n',
      '.env': 'PRIV=true\n',
    });
    folder('through-extends', {
      'base.yaml': 'services:\n  base:\n    cap_add: [SYS_ADMIN]\n',
      'compose.yaml': `services:\n  web:\n    extends: { file: base.yaml, service: base }\n    image: ${WEB_IMAGE}\n    ports: ["80"]\n`,
    });
    folder('plain', { 'compose.yaml': web('    volumes:\n      - ./html:/www\n') });
    t.app.runner.start();
  });
  afterAll(async () => {
    await removeComposeProjects(docker, composeProjects);
    await t?.close();
  });

  const deploy = (
    caller: { headers: Record<string, string> },
    path: string,
    subdomain: string,
    dryRun = false,
  ) =>
    callers.call({
      caller: caller as never,
      method: 'POST',
      url: '/api/v1/projects/deploy-existing',
      payload: { path, subdomain, ...(dryRun ? { dryRun } : {}) },
    });

  it('refuses / mounted as /host and the Docker socket, naming the service and the key, and creates nothing', async () => {
    const res = await deploy(callers.operatorBearer, 'rootfs', 'rootfs');
    expect(res.statusCode).toBe(400);
    const body = res.json() as unknown as {
      error: { message: string; details: { path: string; message: string }[] };
    };
    expect(body.error.details.map((d) => d.path)).toEqual(['services.web.volumes', 'services.web.volumes']);
    expect(body.error.details[0]?.message).toMatch(/service "web".*host path \//);
    expect(body.error.details[1]?.message).toMatch(/Docker socket/);
    const dry = await deploy(callers.operatorBearer, 'rootfs', 'rootfs', true);
    expect(dry.statusCode).toBe(400);
    const projects = (
      await t.app.http.inject({ url: '/api/v1/projects', headers: callers.adminBearer.headers })
    ).json().items;
    expect(projects).toEqual([]);
  });

  it('judges the resolved model: an override file with interpolation, and extends', async () => {
    const sneaky = (await deploy(callers.operatorBearer, 'sneaky', 'sneaky')).json() as unknown as {
      error: { details: { path: string }[] };
    };
    expect(sneaky.error.details.map((d) => d.path).sort()).toEqual([
      'services.web.pid',
      'services.web.privileged',
    ]);
    const ext = (await deploy(callers.operatorBearer, 'through-extends', 'ext')).json() as unknown as {
      error: { details: { path: string }[] };
    };
    expect(ext.error.details.map((d) => d.path)).toEqual(['services.web.cap_add']);
  });

  it('refuses a compose file over 1 MiB before Compose reads it', async () => {
    folder('huge', { 'compose.yaml': `${web()}${'# padding\n'.repeat(120_000)}` });
    const res = await deploy(callers.adminBearer, 'huge', 'huge', true);
    expect(res.statusCode).toBe(400);
    expect((res.json() as unknown as { error: { message: string } }).error.message).toMatch(/too large/);
  });

  it('lets an ordinary project through', async () => {
    const res = await deploy(callers.operatorBearer, 'plain', 'plain', true);
    expect(res.statusCode).toBe(200);
  });

  it('runs a project once an admin granted its exception (audited), and refuses the grant to operators', async () => {
    // An exception is granted per project: the project exists first (an admin may create it).
    const made = await deploy(callers.adminBearer, 'plain', 'granted');
    expect(made.statusCode).toBe(202);
    const { project, job } = made.json() as unknown as {
      project: { id: string; composeProject: string };
      job: { id: string };
    };
    composeProjects.push(project.composeProject);
    await waitForJob(t, callers.adminBearer.headers, job.id);
    // The folder now asks for privileged: the redeploy is refused until the exception is granted.
    fs.writeFileSync(
      path.join(repos, 'plain', 'compose.override.yaml'),
      'services:\n  web:\n    privileged: true\n',
    );
    const put = (caller: { headers: Record<string, string> }, allow: string[]) =>
      callers.call({
        caller: caller as never,
        method: 'PUT',
        url: `/api/v1/projects/${project.id}/policy`,
        payload: { allow },
      });
    const redeploy = () =>
      callers.call({
        caller: callers.operatorBearer as never,
        method: 'POST',
        url: `/api/v1/projects/${project.id}/redeploy`,
      });
    const refusedJob = (await redeploy()).json() as unknown as { job: { id: string } };
    const failed = await waitForJob(t, callers.adminBearer.headers, refusedJob.job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toMatch(/privileged/);
    expect((await put(callers.operatorBearer, ['privileged'])).statusCode).toBe(403);
    const granted = await put(callers.adminBearer, ['privileged']);
    expect(granted.statusCode).toBe(200);
    expect((granted.json() as unknown as { policyExceptions: string[] }).policyExceptions).toEqual([
      'privileged',
    ]);
    const okJob = (await redeploy()).json() as unknown as { job: { id: string } };
    expect((await waitForJob(t, callers.adminBearer.headers, okJob.job.id)).status).toBe('succeeded');
    // The redeploy ran blue/green as the project's next release (its own compose project): find it by the panel's label.
    const [container] = await docker.listContainers({
      filters: { label: [`warp.project=${project.id}`, 'com.docker.compose.service=web'] },
    });
    expect((await docker.getContainer(container!.Id).inspect()).HostConfig.Privileged).toBe(true);
    const audit = (
      await t.app.http.inject({
        url: '/api/v1/audit?action=project.policy',
        headers: callers.adminBearer.headers,
      })
    ).json().items as { details: { allow: string[] } }[];
    expect(audit[0]?.details.allow).toEqual(['privileged']);
    const policy = (
      await t.app.http.inject({
        url: `/api/v1/projects/${project.id}/policy`,
        headers: callers.operatorBearer.headers,
      })
    ).json();
    expect(policy.allow).toEqual(['privileged']);
    expect(policy.exceptions.map((e: { name: string }) => e.name)).toContain('hostPaths');
  });
});
