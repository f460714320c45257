// A real registry for tests: Debian's `docker-registry` (distribution 2.8) on a free loopback port,
// with htpasswd auth or none, storage in a temp dir. The engine treats 127.0.0.0/8 as insecure, so
// plain HTTP works for push and pull. Pushes go through the Engine API with an `X-Registry-Auth`
// header: no `docker login`, nothing written to ~/.docker. Clients reach it through a pacing TCP
// relay (`setDownloadRate`), since a loopback pull is otherwise over before it shows any progress.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import type Docker from 'dockerode';
import { createTestContainer } from './docker.js';

/** Debian's registry binary. */
export const REGISTRY_BIN = process.env.WARP_REGISTRY_BIN ?? '/usr/bin/docker-registry';

/** Whether the registry binary and `htpasswd` are installed. */
export const registryAvailable = (): boolean =>
  fs.existsSync(REGISTRY_BIN) && spawnSync('htpasswd', ['-h'], { stdio: 'ignore' }).error === undefined;

/** A running test registry. */
export interface TestRegistry {
  /** `127.0.0.1:<port>` (the relay's): the registry part of image references. */
  host: string;
  port: number;
  /** Credentials the registry accepts (empty strings for an open registry). */
  username: string;
  password: string;
  /** The AuthConfig for pushes and pulls (`undefined` for an open registry). */
  auth: { username: string; password: string; serveraddress: string } | undefined;
  /**
   * Tag `localImage` as `<host>/<repoTag>` and push it; the local `<host>/…` tag is removed again
   * (so a later pull really pulls). Returns the pushed manifest digest (`sha256:…`).
   */
  push(localImage: string, repoTag: string): Promise<string>;
  /**
   * Limit what clients receive to `bytesPerSecond` (`0` holds everything back, `null` lifts the
   * limit): the registry sits behind a small TCP relay on `host`, so pulls over loopback can be
   * slowed down to show progress, be aborted mid-download or stall.
   */
  setDownloadRate(bytesPerSecond: number | null): void;
  /** The registry's log tail (for failure messages). */
  logs(): string;
  /** Stop the registry and delete its storage. */
  stop(): Promise<void>;
}

/** Options of `startRegistry`. */
export interface RegistryOptions {
  /** htpasswd credentials; leave out for an unauthenticated registry. */
  username?: string;
  password?: string;
}

/** A free TCP port on 127.0.0.1 (free when asked; the registry start retries on a clash). */
export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A loopback port nothing listens on (for "registry unreachable"). */
export const closedLoopbackPort = freeLoopbackPort;

function htpasswdLine(username: string, password: string): string {
  const r = spawnSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

function configYaml(dir: string, port: number, htpasswd: string | null): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${crypto.randomBytes(16).toString('hex')}`,
  ];
  if (htpasswd) {
    lines.push('auth:', '  htpasswd:', '    realm: warp-test', `    path: ${JSON.stringify(htpasswd)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `/v2/`'s status, or null when nothing answers. */
async function probe(host: string): Promise<number | null> {
  try {
    const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null;
  }
}

async function launch(dir: string, port: number, htpasswd: string | null) {
  const config = path.join(dir, `config-${port}.yml`);
  fs.writeFileSync(config, configYaml(dir, port, htpasswd), { mode: 0o600 });
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (c: Buffer) => {
    log = (log + c.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', (err) => {
    exited = true;
    keep(Buffer.from(String(err)));
  });
  const host = `127.0.0.1:${port}`;
  const want = htpasswd ? 401 : 200;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await probe(host);
    if (status === want) return { child, host, logs: () => log };
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`registry on ${host} did not come up (last /v2/ status ${status}): ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Upstream → client bytes, paced to `rate()` bytes a second (0: held until the rate changes). */
class Pace extends Transform {
  constructor(private readonly rate: () => number | null) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let off = 0;
    const step = () => {
      if (this.destroyed) return done();
      const r = this.rate();
      if (r === null) {
        this.push(chunk.subarray(off));
        return done();
      }
      if (r <= 0) {
        setTimeout(step, 50);
        return;
      }
      const piece = chunk.subarray(off, off + Math.max(512, Math.floor(r / 20)));
      off += piece.length;
      this.push(piece);
      setTimeout(off >= chunk.length ? done : step, (piece.length / r) * 1000);
    };
    step();
  }
}

/** A TCP relay on a free loopback port in front of `targetPort`, pacing what clients receive. */
async function startRelay(targetPort: number, rate: () => number | null) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pace = new Pace(rate);
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      pace.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // The registry closing its side must not drop bytes still held by the pacer: its end flows
    // through the pipe (pacer, then client); only the client going away or an error ends both.
    client.on('error', close).on('close', close);
    upstream.on('error', close);
    pace.on('error', close);
    client.pipe(upstream);
    upstream.pipe(pace).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Read an engine progress stream to its end; rejects with the first `error` message. */
export function drainProgress(stream: NodeJS.ReadableStream): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const messages: Array<Record<string, unknown>> = [];
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) messages.push(JSON.parse(line) as Record<string, unknown>);
        nl = buf.indexOf('\n');
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (buf.trim()) messages.push(JSON.parse(buf) as Record<string, unknown>);
      const failed = messages.find((m) => m.error || m.errorDetail);
      if (failed) reject(new Error(String(failed.error ?? JSON.stringify(failed.errorDetail))));
      else resolve(messages);
    });
  });
}

/**
 * Start a registry in a temp dir on a free loopback port. With `username`/`password` it uses
 * htpasswd (bcrypt) auth and is ready once `/v2/` answers 401; without, once it answers 200.
 */
export async function startRegistry(docker: Docker, opts: RegistryOptions = {}): Promise<TestRegistry> {
  const authenticated = opts.username !== undefined;
  const username = opts.username ?? '';
  const password = opts.password ?? '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-registry-'));
  let htpasswd: string | null = null;
  if (authenticated) {
    htpasswd = path.join(dir, 'htpasswd');
    fs.writeFileSync(htpasswd, `${htpasswdLine(username, password)}\n`, { mode: 0o600 });
  }
  let started: Awaited<ReturnType<typeof launch>> | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    try {
      started = await launch(dir, await freeLoopbackPort(), htpasswd);
    } catch (err) {
      lastError = err;
    }
  }
  if (!started) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }
  const { child } = started;
  let rate: number | null = null;
  const relay = await startRelay(Number(started.host.split(':')[1]), () => rate).catch(async (err) => {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const host = `127.0.0.1:${relay.port}`;
  const auth = authenticated ? { username, password, serveraddress: host } : undefined;

  return {
    host,
    port: relay.port,
    username,
    password,
    auth,
    setDownloadRate(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    logs: started.logs,
    async push(localImage, repoTag) {
      const at = repoTag.lastIndexOf(':');
      const repoPath = at > repoTag.lastIndexOf('/') ? repoTag.slice(0, at) : repoTag;
      const tag = at > repoTag.lastIndexOf('/') ? repoTag.slice(at + 1) : 'latest';
      const repo = `${host}/${repoPath}`;
      await docker.getImage(localImage).tag({ repo, tag });
      try {
        // An open registry gets blank credentials: some engines insist on the header for a push.
        const authconfig = auth ?? { username: '', password: '', serveraddress: host };
        const stream = await docker.getImage(repo).push({ tag, authconfig });
        const messages = await drainProgress(stream);
        const aux = messages.find((m) => m.aux && typeof (m.aux as { Digest?: unknown }).Digest === 'string');
        const digest = (aux?.aux as { Digest?: string } | undefined)?.Digest;
        if (!digest) throw new Error(`push of ${repo}:${tag} reported no digest`);
        return digest;
      } finally {
        await docker
          .getImage(`${repo}:${tag}`)
          .remove({ noprune: true })
          .catch(() => {});
      }
    },
    async stop() {
      await relay.stop();
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A local image `tag` made of the test busybox image plus one layer of `bytes` random bytes (so every
 * build has its own layer and digest): run a labelled container that writes `/payload`, commit it.
 */
export async function imageWithRandomLayer(docker: Docker, tag: string, bytes: number, runId: string) {
  const container = await createTestContainer(docker, runId, {
    cmd: ['/bin/busybox', 'sh', '-c', `/bin/busybox head -c ${bytes} /dev/urandom > /payload`],
  });
  try {
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`writing the payload of ${tag} failed (exit ${StatusCode})`);
    const at = tag.lastIndexOf(':');
    await container.commit({ repo: tag.slice(0, at), tag: tag.slice(at + 1) });
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
  return tag;
}

/**
 * A local image `tag` that serves HTTP on port 80 like `base` (the deploy tests' busybox httpd image)
 * plus one layer of `bytes` random bytes, so every build has its own digest: run a labelled
 * container that writes `/payload`, commit it with the web server as its command.
 */
export async function webImageWithRandomLayer(
  docker: Docker,
  base: string,
  tag: string,
  bytes: number,
  runId: string,
): Promise<string> {
  const container = await docker.createContainer({
    Image: base,
    Cmd: ['/bin/busybox', 'sh', '-c', `/bin/busybox head -c ${bytes} /dev/urandom > /payload`],
    Labels: { 'warp.test': runId },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`writing the payload of ${tag} failed (exit ${StatusCode})`);
    const at = tag.lastIndexOf(':');
    await container.commit({
      repo: tag.slice(0, at),
      tag: tag.slice(at + 1),
      changes: ['CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/tmp"]'],
    });
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
  return tag;
}
