import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { upstreamError } from '../../domain/errors.js';
import { DOCKER_UPSTREAM, toDomainError } from './docker-errors.js';

/** The newest Engine API version this code is written against. */
export const OUR_API_VERSION = '1.47';

/** What `GET /health/docker` reports. */
export interface DockerHealth {
  engineVersion: string;
  apiVersion: string;
  latencyMs: number;
}

/** Options of one engine call. */
export interface CallOptions {
  /** Names the object for a 404 ("container web") so it becomes NOT_FOUND with that name. */
  what?: string;
  timeoutMs?: number;
}

/** How to reach a remote engine besides its address: TLS certificates, the ssh agent. */
export interface RemoteEngineOptions {
  tls?: { verify: boolean; certPath: string | null };
  sshAuthSock?: string | null;
}

/**
 * `DOCKER_HOST` → dockerode connection options, the forms the Docker CLI takes: `unix:///path`,
 * `npipe://…`, `tcp://host:port` (TLS with DOCKER_TLS_VERIFY=1 or port 2376, certificates from
 * DOCKER_CERT_PATH) and `ssh://user@host[:port]` (the engine's socket over ssh, keys from the agent).
 */
export function connectionOptions(
  dockerHost: string,
  remote: RemoteEngineOptions = {},
): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('npipe://')) return { socketPath: dockerHost.slice('npipe://'.length) };
  if (dockerHost.startsWith('ssh://')) {
    const url = new URL(dockerHost);
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      sshOptions: remote.sshAuthSock ? { agent: remote.sshAuthSock } : {},
    } as Docker.DockerOptions;
  }
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  const port = Number(url.port || (remote.tls?.verify ? 2376 : 2375));
  if (!remote.tls?.verify && port !== 2376) return { host: url.hostname, port, protocol: 'http' };
  const certs = remote.tls?.certPath;
  const read = (name: string) => (certs ? fs.readFileSync(path.join(certs, name)) : undefined);
  return {
    host: url.hostname,
    port,
    protocol: 'https',
    ...(certs ? { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') } : {}),
  };
}

/** Compare dotted API versions part by part as numbers (1.9 < 1.41 < 1.52). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The lower of the engine's and our API versions: what every request is pinned to. */
export const pinApiVersion = (engine: string): string =>
  compareApiVersions(engine, OUR_API_VERSION) < 0 ? engine : OUR_API_VERSION;

function withTimeout<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(upstreamError(DOCKER_UPSTREAM, `${label} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Lazy Engine API client over DOCKER_HOST. Nothing connects until the first call, which reads
 * `GET /version` and pins the lower of the engine's and our API version (dockerode does not
 * negotiate; an engine asked for a newer version answers 400). A failed negotiation is retried on
 * the next call. Ordinary calls get a timeout; streams use a second handle without an idle timeout.
 */
export function createDockerClient(opts: {
  dockerHost: string;
  log: Logger;
  timeoutMs?: number;
  remote?: RemoteEngineOptions;
}) {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const base = connectionOptions(opts.dockerHost, opts.remote);
  let negotiated: Promise<{ api: Docker; streams: Docker; apiVersion: string }> | null = null;

  async function negotiate() {
    // Loaded on first use: dockerode and its transport cost ~25 MB that an idle panel need not carry.
    const { default: Docker } = await import('dockerode');
    const probe = new Docker({ ...base, timeout: timeoutMs });
    const info = await withTimeout(probe.version(), timeoutMs, 'GET /version');
    const apiVersion = pinApiVersion(info.ApiVersion);
    opts.log.debug({ engineApi: info.ApiVersion, apiVersion }, 'docker API version pinned');
    return {
      api: new Docker({ ...base, version: `v${apiVersion}`, timeout: timeoutMs + 5_000 }),
      streams: new Docker({ ...base, version: `v${apiVersion}` }),
      apiVersion,
    };
  }

  function handles() {
    negotiated ??= negotiate().catch((err) => {
      negotiated = null;
      throw toDomainError(err);
    });
    return negotiated;
  }

  return {
    /** The pinned API version (negotiates on first use). */
    async apiVersion(): Promise<string> {
      return (await handles()).apiVersion;
    },
    /** Handle for long-lived streams (logs follow, events): no idle timeout. */
    async streams(): Promise<Docker> {
      return (await handles()).streams;
    },
    /** Run `fn` against the engine with a timeout; every failure comes out as a domain error. */
    async call<T>(label: string, fn: (docker: Docker) => Promise<T>, o: CallOptions = {}): Promise<T> {
      const { api } = await handles();
      try {
        return await withTimeout(fn(api), o.timeoutMs ?? timeoutMs, label);
      } catch (err) {
        throw toDomainError(err, o.what);
      }
    },
    /** Engine version, pinned API version and round-trip time of `GET /version`. */
    async health(): Promise<DockerHealth> {
      const { api, apiVersion } = await handles();
      const started = performance.now();
      try {
        const v = await withTimeout(api.version(), 5_000, 'GET /version');
        return { engineVersion: v.Version, apiVersion, latencyMs: Math.round(performance.now() - started) };
      } catch (err) {
        throw toDomainError(err);
      }
    },
  };
}

/** The Docker engine client the services use. */
export type DockerClient = ReturnType<typeof createDockerClient>;
