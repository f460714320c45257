// Pulls from a real registry (Debian's docker-registry 2.8, htpasswd auth, on loopback) through the
// real engine: credentials, progress lines, repository digests, and every failure's message.
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { pullImage } from '../../src/integrations/docker/image-pull.js';
import { checkRegistryCredentials } from '../../src/integrations/docker/registry-check.js';
import {
  cleanupDocker,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
} from '../support/docker.js';
import {
  closedLoopbackPort,
  imageWithRandomLayer,
  registryAvailable,
  startRegistry,
  type TestRegistry,
} from '../support/registry.js';

const skip = await skipWithoutDocker();
if (!skip && !registryAvailable())
  throw new Error('docker-registry and apache2-utils (htpasswd) are required');

const MB = 1_000_000;
const DIGEST_RE = /^127\.0\.0\.1:\d+\/warp\/app@sha256:[0-9a-f]{64}$/;

/** A log that keeps its lines. */
function collect() {
  const lines: string[] = [];
  return { lines, log: { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(`WARN ${l}`) } };
}

/** The AppError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => {
      throw new Error('expected the pull to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.skipIf(skip)('pulling from a real registry', () => {
  let docker: Docker;
  let registry: TestRegistry;
  let open: TestRegistry;
  const runId = newRunId();
  const password = crypto.randomBytes(12).toString('hex');
  const sources = {
    v1: `warp-test/registry-src:${runId}-v1`,
    v2: `warp-test/registry-src:${runId}-v2`,
    big: `warp-test/registry-src:${runId}-big`,
  };
  const pulledIds = new Set<string>();
  const ref = (path: string) => `${registry.host}/${path}`;

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    [registry, open] = await Promise.all([
      startRegistry(docker, { username: 'warp', password }),
      startRegistry(docker),
    ]);
    await imageWithRandomLayer(docker, sources.v1, 6 * MB, runId);
    await imageWithRandomLayer(docker, sources.v2, 2 * MB, runId);
    await imageWithRandomLayer(docker, sources.big, 20 * MB, runId);
    await registry.push(sources.v1, 'warp/app:v1');
    await registry.push(sources.v1, 'warp/app:latest');
    await registry.push(sources.big, 'warp/big:latest');
    await open.push(sources.v2, 'warp/app:v2');
    // Without the sources their layers are gone: the pulls below really download them.
    await docker.getImage(sources.big).remove();
    await docker.getImage(sources.v1).remove();
  });

  afterAll(async () => {
    if (!docker) return;
    const hosts = [registry?.host, open?.host].filter(Boolean);
    const images = await docker.listImages();
    for (const img of images) {
      const tags = img.RepoTags ?? [];
      const digests = img.RepoDigests ?? [];
      if ([...tags, ...digests].some((t) => hosts.some((h) => t.startsWith(`${h}/`)))) pulledIds.add(img.Id);
    }
    for (const id of pulledIds)
      await docker
        .getImage(id)
        .remove({ force: true })
        .catch(() => {});
    for (const src of Object.values(sources))
      await docker
        .getImage(src)
        .remove({ force: true })
        .catch(() => {});
    await cleanupDocker(docker, runId);
    await registry?.stop();
    await open?.stop();
  });

  it('refuses a pull without credentials with a clear message naming image and registry', async () => {
    const err = await failure(pullImage(docker, ref('warp/app:v1')));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.message).toBe(
      `registry ${registry.host} requires credentials to pull ${ref('warp/app:v1')} (unauthorized): add credentials for ${registry.host} under registries`,
    );
    const wrong = await failure(
      pullImage(docker, ref('warp/app:v1'), {
        auth: { username: 'warp', password: 'wrong', serveraddress: registry.host },
      }),
    );
    expect(wrong.message).toContain(
      `registry ${registry.host} rejected the credentials for ${ref('warp/app:v1')}`,
    );
  });

  it('pulls with credentials: a few progress lines per layer, a total, and the repository digest', async () => {
    const { lines, log } = collect();
    registry.setDownloadRate(3 * MB);
    const result = await pullImage(docker, ref('warp/app:v1'), { auth: registry.auth, log }).finally(() =>
      registry.setDownloadRate(null),
    );
    pulledIds.add(result.imageId);
    expect(result.digest).toMatch(DIGEST_RE);
    expect(result.digest?.startsWith(`${registry.host}/warp/app@`)).toBe(true);
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.status).toBe(`Downloaded newer image for ${ref('warp/app:v1')}`);

    const layer =
      /^[0-9a-f]{12}: (waiting|downloading \d+\.\d of 6\.0 MB|downloaded 6\.0 MB|extracting|done|already exists)$/;
    const layerLines = lines.filter((l) => /^[0-9a-f]{12}: /.test(l));
    expect(
      layerLines.every((l) => layer.test(l)),
      layerLines.join('\n'),
    ).toBe(true);
    // The busybox base layer is here already; the random one is downloaded.
    expect(lines.filter((l) => l.endsWith(': already exists'))).toHaveLength(1);
    const [pulled] = lines.filter((l) => l.endsWith(': done')).map((l) => l.slice(0, 12));
    expect(pulled).toMatch(/^[0-9a-f]{12}$/);
    const downloading = lines.filter((l) => l.startsWith(`${pulled}: downloading`));
    expect(downloading.length).toBeGreaterThanOrEqual(2);
    expect(downloading.length).toBeLessThanOrEqual(4);
    expect(lines).toContain(`${pulled}: downloaded 6.0 MB`);
    expect(lines).toContain(`Digest: ${result.digest?.split('@')[1]}`);
    expect(lines.at(-2)).toBe(`Status: Downloaded newer image for ${ref('warp/app:v1')}`);
    expect(lines.at(-1)).toMatch(/^pulled 1 layer, 6\.0 MB in \d+\.\d s, 1 already present$/);
    // Far fewer lines than the engine sent messages.
    expect(result.messages, lines.join('\n')).toBeGreaterThan(20);
    expect(lines.length * 2).toBeLessThan(result.messages);
  });

  it('gives a different digest after new content is pushed under the same tag', async () => {
    const first = await pullImage(docker, ref('warp/app:latest'), { auth: registry.auth });
    pulledIds.add(first.imageId);
    await registry.push(sources.v2, 'warp/app:latest');
    const { lines, log } = collect();
    const second = await pullImage(docker, ref('warp/app:latest'), { auth: registry.auth, log });
    pulledIds.add(second.imageId);
    expect(first.digest).toMatch(/^127\.0\.0\.1:\d+\/warp\/app@sha256:[0-9a-f]{64}$/);
    expect(second.digest).toMatch(/^127\.0\.0\.1:\d+\/warp\/app@sha256:[0-9a-f]{64}$/);
    expect(second.digest).not.toBe(first.digest);
    expect(second.imageId).not.toBe(first.imageId);
    expect(lines.at(-1)).toMatch(/^pulled \d+ layers?, .* in \d+\.\d s/);
  });

  it('says a tag is not found, listing the tags the image has', async () => {
    const err = await failure(pullImage(docker, ref('warp/app:v9'), { auth: registry.auth }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe(
      `tag v9 of image warp/app not found in registry ${registry.host} (it has latest, v1)`,
    );
  });

  it('says an image is not found', async () => {
    const err = await failure(pullImage(docker, ref('warp/nope:v1'), { auth: registry.auth }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe(
      `image warp/nope not found in registry ${registry.host} (pulling ${ref('warp/nope:v1')})`,
    );
  });

  it('says a registry on a closed port is unreachable', async () => {
    const host = `127.0.0.1:${await closedLoopbackPort()}`;
    const err = await failure(pullImage(docker, `${host}/warp/app:v1`));
    expect(err.code).toBe('UPSTREAM_ERROR');
    expect(err.message).toBe(
      `registry ${host} is unreachable (connection refused) while pulling ${host}/warp/app:v1`,
    );
  });

  it('rejects when aborted mid-download, and the engine drops the pull', async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    registry.setDownloadRate(2 * MB);
    const log = {
      info: (l: string) => {
        lines.push(l);
        if (/: downloading /.test(l)) ac.abort();
      },
      warn: () => {},
    };
    const started = Date.now();
    const err = await failure(
      pullImage(docker, ref('warp/big:latest'), { auth: registry.auth, log, signal: ac.signal }),
    ).finally(() => registry.setDownloadRate(null));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(`pulling ${ref('warp/big:latest')} was canceled`);
    expect(lines.some((l) => l.startsWith('pulled '))).toBe(false);
    expect(Date.now() - started).toBeLessThan(8_000);
    await new Promise((r) => setTimeout(r, 500));
    const present = await docker
      .getImage(ref('warp/big:latest'))
      .inspect()
      .then(
        () => true,
        () => false,
      );
    expect(present).toBe(false);
  });

  it('fails a pull that stalls', async () => {
    registry.setDownloadRate(0);
    const started = Date.now();
    const err = await failure(
      pullImage(docker, ref('warp/big:latest'), { auth: registry.auth, stallTimeoutMs: 1_500 }),
    ).finally(() => registry.setDownloadRate(null));
    expect(err.code).toBe('UPSTREAM_ERROR');
    expect(err.message).toBe(
      `pulling ${ref('warp/big:latest')} from registry ${registry.host} stalled: no progress for 1.5 s`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('pulls from an open registry without credentials', async () => {
    const result = await pullImage(docker, `${open.host}/warp/app:v2`);
    pulledIds.add(result.imageId);
    expect(result.digest).toMatch(
      new RegExp(`^${open.host.replace(/\./g, '\\.')}/warp/app@sha256:[0-9a-f]{64}$`),
    );
  });

  it('checks credentials against the registry directly', async () => {
    expect(await checkRegistryCredentials(registry.host, { username: 'warp', password })).toEqual({
      ok: true,
      message: `credentials of warp work for registry ${registry.host}`,
    });
    expect(await checkRegistryCredentials(registry.host, { username: 'warp', password: 'wrong' })).toEqual({
      ok: false,
      message: `registry ${registry.host} rejected the credentials of warp`,
    });
    expect(await checkRegistryCredentials(open.host, { username: 'x', password: 'y' })).toEqual({
      ok: true,
      message: `registry ${open.host} answers without credentials; nothing to check`,
    });
    const closed = `127.0.0.1:${await closedLoopbackPort()}`;
    expect(await checkRegistryCredentials(closed, { username: 'warp', password })).toEqual({
      ok: false,
      message: `registry ${closed} is unreachable (connection refused)`,
    });
  });
});
