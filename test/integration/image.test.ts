// Heavy suite: builds the panel's image (Dockerfile) from local bases and runs it like compose.yaml
// does: host network, the Docker socket, the repos root and the cloudflared dir at the same paths.
// Cold: ~1 min for the bases (cached by tag afterwards) plus the image build (npm ci compiles
// better-sqlite3); reruns reuse Docker's layer cache.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDeployImages,
  FAKE_CLOUDFLARED,
  removeProjectContainers,
  WEB_IMAGE,
} from '../support/deploy-env.js';
import {
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_DOCKER_HOST,
  TEST_LABEL,
} from '../support/docker.js';
import { ensureLocalBaseImages } from '../support/local-base-image.js';

const skip = await skipWithoutDocker();
const IMAGE = 'warp-panel:test';
const SETUP_TOKEN = 'image-test-setup-token-0123456789';
const PANEL_UID = 10001;

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (c: Buffer) => {
      out = (out + c.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(skip)('the container image', () => {
  let docker: Docker;
  let panel: Docker.Container;
  let base: string;
  const runId = newRunId();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-image-'));
  const dirs = { data: `${root}/data`, repos: `${root}/repos`, cloudflared: `${root}/cloudflared` };
  const projectIds: string[] = [];
  let url = '';
  let auth: Record<string, string> = {};

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureDeployImages(docker);
    const bases = await ensureLocalBaseImages(docker);
    base = bases.base;
    const started = Date.now();
    const build = await run(
      'docker',
      [
        'build',
        '-t',
        IMAGE,
        '--build-arg',
        `BASE=${bases.base}`,
        '--build-arg',
        `BUILD_BASE=${bases.buildBase}`,
        '.',
      ],
      { DOCKER_BUILDKIT: '0' },
    );
    if (build.code !== 0) throw new Error(`docker build failed:\n${build.out}`);
    const size = (await docker.getImage(IMAGE).inspect()).Size;
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync(
      'test-results/image.json',
      `${JSON.stringify({ image: IMAGE, base, sizeBytes: size, buildSeconds: (Date.now() - started) / 1000 })}\n`,
    );

    // The panel runs as uid 10001: it owns its data, the repos root and the cloudflared directory.
    for (const dir of Object.values(dirs)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.chownSync(dir, PANEL_UID, PANEL_UID);
    }
    const config = path.join(dirs.cloudflared, 'config.yml');
    fs.writeFileSync(
      config,
      'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ningress:\n  - hostname: nas.example.test\n    service: http://192.168.1.10:5000\n  - service: http_status:404\n',
    );
    fs.chownSync(config, PANEL_UID, PANEL_UID);
    const socket = new URL(TEST_DOCKER_HOST).pathname;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    panel = await docker.createContainer({
      Image: IMAGE,
      name: `warp-panel-${runId}`,
      Labels: { [TEST_LABEL]: runId },
      Env: [
        `WARP_PORT=${port}`,
        `WARP_SETUP_TOKEN=${SETUP_TOKEN}`,
        `WARP_REPOS_ROOT=${dirs.repos}`,
        `WARP_CLOUDFLARED_CONFIG=${config}`,
        'WARP_CLOUDFLARED_BIN=/opt/fakes/cloudflared',
        'WARP_TUNNEL_NAME=home',
        'WARP_TUNNEL_RESTART=none',
        'WARP_BASE_DOMAIN=example.test',
        'WARP_PORT_RANGE=18950-18999',
      ],
      Healthcheck: { Interval: 2_000_000_000, StartPeriod: 60_000_000_000 },
      HostConfig: {
        NetworkMode: 'host',
        // Socket access for the non-root user: the socket's group, as compose.yaml's DOCKER_GID does.
        GroupAdd: [String(fs.statSync(socket).gid)],
        Binds: [
          `${socket}:/var/run/docker.sock`,
          `${dirs.data}:/data`,
          `${dirs.repos}:${dirs.repos}`,
          `${dirs.cloudflared}:${dirs.cloudflared}`,
          `${FAKE_CLOUDFLARED}:/opt/fakes/cloudflared:ro`,
        ],
      },
    });
    await panel.start();
    await until('/healthz', async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined));
    const login = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: SETUP_TOKEN }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const created = await fetch(`${url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-warp-request': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'image-test' }),
    });
    expect(created.status).toBe(201);
    auth = { authorization: `Bearer ${((await created.json()) as { token: string }).token}` };
  }, 20 * 60_000);

  afterAll(async () => {
    if (docker) {
      await removeProjectContainers(docker, projectIds);
      const leftovers = await docker.listContainers({
        all: true,
        filters: { label: [`${TEST_LABEL}=${runId}`] },
      });
      for (const c of leftovers) await docker.getContainer(c.Id).remove({ force: true, v: true });
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs as a non-root user with the Docker CLI, Compose, git and tini, and reports healthy', async () => {
    const exec = async (cmd: string[]) => {
      const e = await panel.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await e.start({});
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      await new Promise((r) => stream.on('end', r));
      return { code: (await e.inspect()).ExitCode, out: Buffer.concat(chunks).toString() };
    };
    expect((await exec(['id', '-u'])).out).toContain(String(PANEL_UID));
    // `docker version` asks the engine: it proves socket access through the added group.
    const engine = await exec(['docker', 'version', '--format', '{{.Server.APIVersion}}']);
    expect(engine.code, engine.out).toBe(0);
    expect((await exec(['docker-compose', 'version', '--short'])).code).toBe(0);
    expect((await exec(['git', '--version'])).code).toBe(0);
    const health = await until('a healthy status', async () => {
      const status = (await panel.inspect()).State.Health?.Status;
      return status === 'healthy' ? status : undefined;
    });
    expect(health).toBe('healthy');
  });

  it('lists containers through the mounted socket', async () => {
    const res = await fetch(`${url}/api/v1/containers`, { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { name: string }[] };
    expect(body.items.map((c) => c.name)).toContain(`warp-panel-${runId}`);
  });

  it('deploys a quick service from inside the container and publishes it', async () => {
    const res = await fetch(`${url}/api/v1/projects/quick-service`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ image: WEB_IMAGE, subdomain: `img${runId.slice(-6)}`, containerPort: 80 }),
    });
    expect(res.status).toBe(202);
    const { project, job } = (await res.json()) as { project: { id: string }; job: { id: string } };
    projectIds.push(project.id);
    const done = await until('the deploy job', async () => {
      const j = (await (await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: auth })).json()) as {
        status: string;
      };
      return ['queued', 'running'].includes(j.status) ? undefined : j;
    });
    const log = await (await fetch(`${url}/api/v1/jobs/${job.id}/logs`, { headers: auth })).text();
    expect(done.status, log).toBe('succeeded');
    const got = (await (await fetch(`${url}/api/v1/projects/${project.id}`, { headers: auth })).json()) as {
      status: string;
      hostPort: number;
      hostname: string;
    };
    expect(got.status).toBe('running');
    // The app answers on the host's loopback (host networking: the panel's localhost is the host's).
    const origin = await fetch(`http://127.0.0.1:${got.hostPort}/`);
    expect(origin.status).toBeLessThan(500);
    const config = fs.readFileSync(path.join(dirs.cloudflared, 'config.yml'), 'utf8');
    expect(config).toContain(`  - hostname: ${got.hostname}\n    service: http://localhost:${got.hostPort}`);
    expect(config).toContain('  - hostname: nas.example.test');
    const calls = fs.readFileSync(path.join(dirs.cloudflared, '.fake-cloudflared', 'calls.jsonl'), 'utf8');
    expect(calls).toContain(got.hostname);
  });

  it('ships a compose.yaml that Compose accepts', async () => {
    // compose.yaml reads deploy/.env (env_file): give a copy of it one, as the README has users do.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-compose-copy-'));
    fs.copyFileSync('deploy/compose.yaml', path.join(copy, 'compose.yaml'));
    fs.writeFileSync(path.join(copy, '.env'), `DOCKER_GID=999\nWARP_REPOS_ROOT=${dirs.repos}\n`);
    const res = await run(
      'docker-compose',
      ['-f', path.join(copy, 'compose.yaml'), '--profile', 'tunnel', 'config', '-q'],
      {},
    );
    fs.rmSync(copy, { recursive: true, force: true });
    expect(res.code, res.out).toBe(0);
  });
});
