import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import {
  classifyPullMessage,
  type PullErrorContext,
  pullCanceledError,
  pullStalledError,
  toPullError,
} from './registry-errors.js';

/** A dockerode HTTP error as it comes out of `POST /images/create` (message built by docker-modem). */
const engineError = (status: number, message: string) =>
  Object.assign(
    new Error(`(HTTP code ${status}) ${status === 500 ? 'server error' : 'unexpected'} - ${message} `),
    {
      statusCode: status,
      json: null,
    },
  );

const ctx = (over: Partial<PullErrorContext> = {}): PullErrorContext => ({
  image: '127.0.0.1:41985/warp/app:v1',
  registry: '127.0.0.1:41985',
  repository: 'warp/app',
  tag: 'v1',
  withCredentials: true,
  ...over,
});

// The messages Engine 26.1.5 gave against docker-registry 2.8 and unreachable hosts.
const REAL = {
  noCredentials: 'Head "http://127.0.0.1:41985/v2/warp/app/manifests/v1": no basic auth credentials',
  wrongPassword: 'unauthorized: authentication required',
  manifestUnknown: 'manifest for 127.0.0.1:41985/warp/app:v9 not found: manifest unknown: manifest unknown',
  refused: 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
  dns: 'Get "https://no-such-host.invalid/v2/": dial tcp: lookup no-such-host.invalid on 10.255.255.53:53: no such host',
  silent:
    'Get "http://127.0.0.1:46199/v2/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
  tls: 'Get "https://10.255.255.1/v2/": tls: failed to verify certificate: x509: cannot validate certificate for 10.255.255.1 because it doesn\'t contain any IP SANs',
};

describe('pull failure mapping', () => {
  it('classifies the engine messages seen here', () => {
    expect(classifyPullMessage(REAL.noCredentials).kind).toBe('unauthorized');
    expect(classifyPullMessage(REAL.wrongPassword).kind).toBe('unauthorized');
    expect(classifyPullMessage(REAL.manifestUnknown).kind).toBe('unknown-manifest');
    expect(classifyPullMessage(REAL.refused)).toEqual({ kind: 'unreachable', cause: 'connection refused' });
    expect(classifyPullMessage(REAL.dns)).toEqual({ kind: 'unreachable', cause: 'host name not found' });
    expect(classifyPullMessage(REAL.silent)).toEqual({ kind: 'unreachable', cause: 'timed out' });
    expect(classifyPullMessage(REAL.tls)).toEqual({
      kind: 'unreachable',
      cause: 'its TLS certificate is not trusted',
    });
  });

  it('classifies Docker Hub and GHCR wording', () => {
    expect(
      classifyPullMessage(
        "pull access denied for warpxyz/nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      ).kind,
    ).toBe('unknown-or-private');
    expect(classifyPullMessage('unauthorized: incorrect username or password').kind).toBe('unauthorized');
    expect(classifyPullMessage('denied').kind).toBe('denied');
    expect(classifyPullMessage('toomanyrequests: You have reached your pull rate limit.').kind).toBe(
      'rate-limited',
    );
    expect(classifyPullMessage('repository name not known to registry').kind).toBe('unknown-image');
    expect(classifyPullMessage('Get "https://r.example/v2/": EOF').kind).toBe('unreachable');
  });

  it('says the registry wants credentials, naming image and registry', () => {
    const e = toPullError(engineError(500, REAL.noCredentials), ctx({ withCredentials: false }));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(e.message).toBe(
      'registry 127.0.0.1:41985 requires credentials to pull 127.0.0.1:41985/warp/app:v1 (unauthorized): add credentials for 127.0.0.1:41985 under registries',
    );
    const wrong = toPullError(engineError(500, REAL.wrongPassword), ctx());
    expect(wrong.message).toContain(
      'registry 127.0.0.1:41985 rejected the credentials for 127.0.0.1:41985/warp/app:v1',
    );
  });

  it('tells an unknown tag from an unknown image when the repository lookup knows', () => {
    const err = engineError(404, REAL.manifestUnknown);
    const tag = toPullError(err, ctx({ tag: 'v9', repositoryExists: true, knownTags: ['latest', 'v1'] }));
    expect(tag.code).toBe('NOT_FOUND');
    expect(tag.message).toBe(
      'tag v9 of image warp/app not found in registry 127.0.0.1:41985 (it has latest, v1)',
    );
    const image = toPullError(err, ctx({ repository: 'warp/nope', repositoryExists: false }));
    expect(image.message).toBe(
      'image warp/nope not found in registry 127.0.0.1:41985 (pulling 127.0.0.1:41985/warp/app:v1)',
    );
    const unsure = toPullError(err, ctx({ tag: 'v9' }));
    expect(unsure.message).toBe(
      'tag v9 of image warp/app not found in registry 127.0.0.1:41985 (no such tag, or no such image)',
    );
  });

  it('says the registry is unreachable, never quoting the resolver', () => {
    for (const [raw, cause] of [
      [REAL.refused, 'connection refused'],
      [REAL.dns, 'host name not found'],
      [REAL.silent, 'timed out'],
    ] as const) {
      const e = toPullError(engineError(500, raw), ctx({ registry: 'r.example', image: 'r.example/a:1' }));
      expect(e.code).toBe('UPSTREAM_ERROR');
      expect(e.message).toBe(`registry r.example is unreachable (${cause}) while pulling r.example/a:1`);
      expect(e.message).not.toMatch(/lookup|dial tcp|10\.255/);
    }
  });

  it('maps in-stream error messages (strings) the same way', () => {
    expect(toPullError(REAL.wrongPassword, ctx()).code).toBe('PRECONDITION_FAILED');
    const other = toPullError('failed to register layer: no space left on device\n  at stack…', ctx());
    expect(other.message).toBe(
      'pulling 127.0.0.1:41985/warp/app:v1 from registry 127.0.0.1:41985 failed: failed to register layer: no space left on device',
    );
  });

  it('keeps engine transport failures as Docker engine errors, and AppErrors as they are', () => {
    const socket = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });
    const e = toPullError(socket, ctx());
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.message).toMatch(/^Docker engine: /);
    const app = new AppError('CONFLICT', 'x');
    expect(toPullError(app, ctx())).toBe(app);
  });

  it('rejects an invalid reference as a validation error', () => {
    expect(toPullError(engineError(400, 'invalid reference format'), ctx()).code).toBe('VALIDATION_FAILED');
  });

  it('has stall and cancel errors', () => {
    expect(pullStalledError(ctx(), 1500).message).toBe(
      'pulling 127.0.0.1:41985/warp/app:v1 from registry 127.0.0.1:41985 stalled: no progress for 1.5 s',
    );
    const ac = new AbortController();
    ac.abort();
    expect(pullCanceledError(ac.signal, ctx()).code).toBe('CONFLICT');
    const reason = new AppError('UNAVAILABLE', 'the panel stopped');
    const ac2 = new AbortController();
    ac2.abort(reason);
    expect(pullCanceledError(ac2.signal, ctx())).toBe(reason);
  });
});
