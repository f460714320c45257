import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { fullRepositoryName, matchRepoDigest, type PullDocker, pullImage } from './image-pull.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const HOST = '127.0.0.1:5000';

interface FakeCall {
  auth: unknown;
  opts: Record<string, unknown>;
}

/** A dockerode stand-in: `createImage` hands out `stream` (or `pending`), `inspect` answers `repoDigests`. */
function fakeDocker(o: { stream?: PassThrough; pending?: boolean; fail?: Error; repoDigests?: string[] }): {
  docker: PullDocker;
  calls: FakeCall[];
} {
  const calls: FakeCall[] = [];
  const docker = {
    createImage: (auth: unknown, opts: Record<string, unknown>) => {
      calls.push({ auth, opts });
      if (o.fail) return Promise.reject(o.fail);
      if (o.pending) return new Promise(() => {});
      return Promise.resolve(o.stream);
    },
    getImage: (name: string) => ({
      inspect: async () => ({
        Id: `sha256:${'1'.repeat(64)}`,
        RepoTags: [name],
        RepoDigests: o.repoDigests ?? [],
      }),
    }),
  } as unknown as PullDocker;
  return { docker, calls };
}

const lines = () => {
  const out: string[] = [];
  return { out, log: { info: (l: string) => out.push(l), warn: (l: string) => out.push(`WARN ${l}`) } };
};

const write = (s: PassThrough, msgs: object[]) => {
  for (const m of msgs) s.write(`${JSON.stringify(m)}\r\n`);
};

describe('pullImage', () => {
  it('streams reduced progress and resolves id and the repository digest of that registry', async () => {
    const stream = new PassThrough();
    const { docker, calls } = fakeDocker({
      stream,
      repoDigests: [`other.example/warp/app@sha256:${'e'.repeat(64)}`, `${HOST}/warp/app@${DIGEST}`],
    });
    const { out, log } = lines();
    let t = 0;
    const auth = { username: 'alice', password: 'pw', serveraddress: HOST };
    const done = pullImage(docker, `${HOST}/warp/app:v1`, { auth, log, now: () => (t += 100) });
    await new Promise((r) => setImmediate(r));
    write(stream, [
      { status: 'Pulling from warp/app', id: 'v1' },
      { status: 'Pulling fs layer', progressDetail: {}, id: 'aaaaaaaaaaaa' },
    ]);
    // A message split across chunks.
    const half = JSON.stringify({ status: 'Download complete', progressDetail: {}, id: 'aaaaaaaaaaaa' });
    stream.write(half.slice(0, 10));
    stream.write(`${half.slice(10)}\n`);
    write(stream, [
      { status: 'Pull complete', progressDetail: {}, id: 'aaaaaaaaaaaa' },
      { status: `Digest: ${DIGEST}` },
      { status: `Status: Downloaded newer image for ${HOST}/warp/app:v1` },
    ]);
    stream.end();
    const result = await done;
    expect(calls).toEqual([
      { auth, opts: expect.objectContaining({ fromImage: `${HOST}/warp/app`, tag: 'v1' }) },
    ]);
    expect(result.digest).toBe(`${HOST}/warp/app@${DIGEST}`);
    expect(result.imageId).toMatch(/^sha256:1{64}$/);
    expect(result.status).toBe(`Downloaded newer image for ${HOST}/warp/app:v1`);
    expect(out).toEqual([
      'Pulling from warp/app (v1)',
      'aaaaaaaaaaaa: waiting',
      'aaaaaaaaaaaa: downloaded',
      'aaaaaaaaaaaa: done',
      `Digest: ${DIGEST}`,
      `Status: Downloaded newer image for ${HOST}/warp/app:v1`,
      'pulled 1 layer, 0 B in 0.7 s',
    ]);
  });

  it('pulls a digest reference by digest and has no digest for an image without one', async () => {
    const stream = new PassThrough();
    const { docker, calls } = fakeDocker({ stream, repoDigests: [] });
    const { out, log } = lines();
    const done = pullImage(docker, `${HOST}/warp/app@${DIGEST}`, { log });
    stream.end();
    const result = await done;
    expect(calls[0]?.auth).toBeUndefined();
    expect(calls[0]?.opts).toMatchObject({ fromImage: `${HOST}/warp/app`, tag: DIGEST });
    expect(result.digest).toBeNull();
    expect(out.at(-1)).toBe(`WARN no repository digest recorded for ${HOST}/warp/app@${DIGEST}`);
  });

  it('fails with the mapped error when the stream carries one', async () => {
    const stream = new PassThrough();
    const { docker } = fakeDocker({ stream });
    const done = pullImage(docker, `${HOST}/warp/app:v1`, { lookupTags: false });
    await new Promise((r) => setImmediate(r));
    write(stream, [
      { errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized' },
    ]);
    await expect(done).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringContaining(`registry ${HOST} requires credentials to pull ${HOST}/warp/app:v1`),
    });
    expect(stream.destroyed).toBe(true);
  });

  it('fails with a clear error when the engine answers with an HTTP error', async () => {
    const err = Object.assign(
      new Error(
        '(HTTP code 500) server error - Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused ',
      ),
      { statusCode: 500 },
    );
    const { docker } = fakeDocker({ fail: err });
    await expect(pullImage(docker, '127.0.0.1:1/warp/app:v1')).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message:
        'registry 127.0.0.1:1 is unreachable (connection refused) while pulling 127.0.0.1:1/warp/app:v1',
    });
  });

  it('fails a pull that receives nothing for stallTimeoutMs, and destroys the stream', async () => {
    const stream = new PassThrough();
    const { docker } = fakeDocker({ stream });
    const started = Date.now();
    const done = pullImage(docker, `${HOST}/warp/app:v1`, { stallTimeoutMs: 150 });
    await new Promise((r) => setTimeout(r, 100));
    write(stream, [{ status: 'Pulling from warp/app', id: 'v1' }]);
    await expect(done).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: `pulling ${HOST}/warp/app:v1 from registry ${HOST} stalled: no progress for 0.2 s`,
    });
    // The message at 100 ms re-armed the timer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(stream.destroyed).toBe(true);
  });

  it('also stalls while the engine has not answered at all', async () => {
    const { docker } = fakeDocker({ pending: true });
    await expect(pullImage(docker, `${HOST}/warp/app:v1`, { stallTimeoutMs: 50 })).rejects.toThrow(/stalled/);
  });

  it('destroys the stream and rejects when aborted', async () => {
    const stream = new PassThrough();
    const { docker } = fakeDocker({ stream });
    const ac = new AbortController();
    const done = pullImage(docker, `${HOST}/warp/app:v1`, { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    write(stream, [{ status: 'Pulling fs layer', progressDetail: {}, id: 'aaaaaaaaaaaa' }]);
    ac.abort();
    await expect(done).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `pulling ${HOST}/warp/app:v1 was canceled`,
    });
    expect(stream.destroyed).toBe(true);
  });

  it('rejects with the AppError the signal carries, before calling the engine when already aborted', async () => {
    const { docker, calls } = fakeDocker({ pending: true });
    const reason = new AppError('UNAVAILABLE', 'the panel stopped while this job was running');
    const ac = new AbortController();
    ac.abort(reason);
    await expect(pullImage(docker, `${HOST}/warp/app:v1`, { signal: ac.signal })).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
    const ac2 = new AbortController();
    const pending = pullImage(docker, `${HOST}/warp/app:v1`, { signal: ac2.signal });
    ac2.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects an invalid reference without calling the engine', async () => {
    const { docker, calls } = fakeDocker({ pending: true });
    await expect(pullImage(docker, 'Not A Ref')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(calls).toHaveLength(0);
  });
});

describe('repository digests', () => {
  it('compares names with Docker Hub made explicit', () => {
    expect(fullRepositoryName('nginx')).toBe('docker.io/library/nginx');
    expect(fullRepositoryName('index.docker.io/library/nginx:1')).toBe('docker.io/library/nginx');
    expect(fullRepositoryName('ghcr.io/org/app:1')).toBe('ghcr.io/org/app');
  });

  it('picks the digest of the pulled repository (preferring the one the pull reported)', () => {
    const d1 = `sha256:${'1'.repeat(64)}`;
    const d2 = `sha256:${'2'.repeat(64)}`;
    expect(matchRepoDigest([`nginx@${d1}`], 'docker.io/library/nginx:latest')).toBe(`nginx@${d1}`);
    expect(matchRepoDigest([`${HOST}/a@${d1}`, `${HOST}/a@${d2}`], `${HOST}/a:v2`, d2)).toBe(
      `${HOST}/a@${d2}`,
    );
    expect(matchRepoDigest([`${HOST}/b@${d1}`], `${HOST}/a:v1`)).toBeNull();
    expect(matchRepoDigest(undefined, `${HOST}/a:v1`)).toBeNull();
  });
});
