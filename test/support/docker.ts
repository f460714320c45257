import fs from 'node:fs';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { connectionOptions, pinApiVersion } from '../../src/integrations/docker/docker-client.js';

/** The busybox image every Docker test uses; built locally from /bin/busybox (no registry here). */
export const TEST_IMAGE = 'warp-test/busybox:latest';
/** Label on every object a test creates; its value is the test run's id, for cleanup. */
export const TEST_LABEL = 'warp.test';
/** Applets linked into the test image (the set other suites may rely on). */
const APPLETS = ['sh', 'httpd', 'echo', 'sleep', 'cat', 'ls', 'wget', 'nc', 'sed'];

/** When set (CI), a missing engine fails Docker suites instead of skipping them. */
export const DOCKER_REQUIRED = process.env.WARP_REQUIRE_DOCKER === '1';
/** The engine the tests talk to. */
export const TEST_DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

let handle: Promise<Docker | null> | undefined;

/** A raw dockerode handle pinned to the engine's API version, or null when no engine answers. */
export function testDocker(): Promise<Docker | null> {
  handle ??= (async () => {
    const base = connectionOptions(TEST_DOCKER_HOST);
    try {
      const v = await new Docker({ ...base, timeout: 5000 }).version();
      return new Docker({ ...base, version: `v${pinApiVersion(v.ApiVersion)}` });
    } catch {
      return null;
    }
  })();
  return handle;
}

/** Whether a Docker engine answers. */
export const dockerAvailable = async (): Promise<boolean> => (await testDocker()) !== null;

/** Whether Docker suites must run (WARP_REQUIRE_DOCKER=1). */
export const dockerRequired = (): boolean => DOCKER_REQUIRED;

/** For `describe.skipIf`: true when the suite cannot run; throws when Docker is required but missing. */
export async function skipWithoutDocker(): Promise<boolean> {
  if (await dockerAvailable()) return false;
  if (DOCKER_REQUIRED)
    throw new Error(`Docker is required (WARP_REQUIRE_DOCKER=1) but ${TEST_DOCKER_HOST} does not answer`);
  return true;
}

/** The engine handle of a suite that checked `skipWithoutDocker()`. */
export async function requireDocker(): Promise<Docker> {
  const d = await testDocker();
  if (!d) throw new Error('Docker engine not available');
  return d;
}

function tarHeader(
  name: string,
  opts: { size?: number; mode: number; type: '0' | '2' | '5'; link?: string },
) {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s, off, len, 'utf8');
  const oct = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;
  put(name, 0, 100);
  put(oct(opts.mode, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(opts.size ?? 0, 12), 124, 12);
  put(oct(Math.floor(Date.now() / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put(opts.type, 156, 1);
  put(opts.link ?? '', 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A root file system with /bin/busybox and its applet links, as a tar archive. */
export function busyboxRootfsTar(busybox = '/bin/busybox', applets: readonly string[] = APPLETS): Buffer {
  const bin = fs.readFileSync(busybox);
  const parts = [
    tarHeader('bin/', { mode: 0o755, type: '5' }),
    tarHeader('tmp/', { mode: 0o1777, type: '5' }),
    tarHeader('bin/busybox', { mode: 0o755, type: '0', size: bin.length }),
    bin,
    Buffer.alloc((512 - (bin.length % 512)) % 512),
  ];
  for (const applet of applets)
    parts.push(tarHeader(`bin/${applet}`, { mode: 0o777, type: '2', link: 'busybox' }));
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * Import the busybox root file system as `image` with Dockerfile-style `changes` (CMD, ENV, WORKDIR…)
 * through the engine API, unless the image is already there. No registry needed.
 */
export async function importBusyboxImage(
  docker: Docker,
  image: string,
  changes: string[],
  applets: readonly string[] = APPLETS,
): Promise<string> {
  const exists = await docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (exists) return image;
  const [repo, tag] = image.split(':') as [string, string];
  const out = await docker.importImage(Readable.from(busyboxRootfsTar('/bin/busybox', applets)), {
    repo,
    tag,
    changes,
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(out, (err: Error | null) => (err ? reject(err) : resolve()));
  });
  return image;
}

/** Build the test image with `docker import` through the engine API when it is not there yet. */
export const ensureTestImage = (docker: Docker): Promise<string> =>
  importBusyboxImage(docker, TEST_IMAGE, ['ENV PATH=/bin', 'CMD ["sh"]']);

/** Options of a labelled test container. */
export interface TestContainerOptions {
  name?: string;
  cmd?: string[];
  tty?: boolean;
  start?: boolean;
  labels?: Record<string, string>;
  /** `HostConfig.Binds`, e.g. `['vol:/data']`. */
  binds?: string[];
  /** Anonymous volumes (container paths). */
  volumes?: string[];
  /** containerPort/tcp → host port. */
  ports?: Record<string, number>;
}

/** Create (and by default start) a busybox container carrying the run's cleanup label. */
export async function createTestContainer(docker: Docker, runId: string, o: TestContainerOptions = {}) {
  const portBindings = Object.fromEntries(
    Object.entries(o.ports ?? {}).map(([cp, hp]) => [cp, [{ HostIp: '127.0.0.1', HostPort: String(hp) }]]),
  );
  const container = await docker.createContainer({
    Image: TEST_IMAGE,
    ...(o.name ? { name: o.name } : {}),
    Cmd: o.cmd ?? ['sleep', '3600'],
    Tty: o.tty ?? false,
    Labels: { [TEST_LABEL]: runId, ...o.labels },
    ExposedPorts: Object.fromEntries(Object.keys(o.ports ?? {}).map((cp) => [cp, {}])),
    Volumes: Object.fromEntries((o.volumes ?? []).map((v) => [v, {}])),
    // Init: busybox as PID 1 ignores SIGTERM, and stop would wait its whole timeout.
    HostConfig: { Init: true, Binds: o.binds ?? [], PortBindings: portBindings },
  });
  if (o.start ?? true) await container.start();
  return container;
}

/** Create a labelled named volume. */
export async function createTestVolume(docker: Docker, runId: string, name: string): Promise<string> {
  await docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: runId } });
  return name;
}

/** A short unique id for one test run (label value and name prefix). */
export const newRunId = (): string => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** Remove every container (with its anonymous volumes) and volume labelled with this run's id. */
export async function cleanupDocker(
  docker: Docker,
  runId: string,
  volumeNames: string[] = [],
): Promise<void> {
  const filter = { label: [`${TEST_LABEL}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
  const { Volumes } = await docker.listVolumes({ filters: filter });
  const names = new Set([...(Volumes ?? []).map((v) => v.Name), ...volumeNames]);
  await Promise.all(
    [...names].map((n) =>
      docker
        .getVolume(n)
        .remove()
        .catch(() => {}),
    ),
  );
}
