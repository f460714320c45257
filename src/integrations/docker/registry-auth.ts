import fs from 'node:fs/promises';
import path from 'node:path';
import { type ImageReference, parseImageReference } from '../../domain/image-reference.js';
import { canonicalRegistryHost, DOCKER_HUB } from '../../domain/registry-host.js';

/** A user name and a password (or a token: a Docker Hub access token, a GitHub PAT for GHCR). */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** The engine's AuthConfig as sent in `X-Registry-Auth`. */
export interface RegistryAuth extends RegistryCredentials {
  serveraddress: string;
}

/** Docker Hub's legacy index address: the engine and the CLI key Hub credentials by it. */
export const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';
/** Docker Hub's actual registry API host. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

export { canonicalRegistryHost, DOCKER_HUB };

/** True for every name of Docker Hub. */
export const isDockerHub = (host: string): boolean => canonicalRegistryHost(host) === DOCKER_HUB;

/** The registry an image reference pulls from (`docker.io` when it names none). */
export function registryHostOf(ref: string | ImageReference): string {
  const parsed = typeof ref === 'string' ? parseImageReference(ref) : ref;
  return canonicalRegistryHost(parsed.domain ?? DOCKER_HUB);
}

/**
 * The `serveraddress` the engine expects with credentials for `host`: Docker Hub's is
 * `https://index.docker.io/v1/` (whatever alias was used), every other registry's is its host
 * (`ghcr.io`, `127.0.0.1:5000`).
 */
export const serverAddressFor = (host: string): string =>
  isDockerHub(host) ? DOCKER_HUB_SERVER_ADDRESS : canonicalRegistryHost(host);

/** The host the registry's HTTP API answers on (`registry-1.docker.io` for Docker Hub). */
export const registryApiHost = (host: string): string =>
  isDockerHub(host) ? DOCKER_HUB_API_HOST : canonicalRegistryHost(host);

/** The AuthConfig for `host` with these credentials. */
export const registryAuth = (host: string, creds: RegistryCredentials): RegistryAuth => ({
  username: creds.username,
  password: creds.password,
  serveraddress: serverAddressFor(host),
});

/**
 * The `X-Registry-Auth` header value: the AuthConfig as JSON, base64url-encoded with padding
 * (what the engine decodes and what the Docker CLI sends).
 */
export function registryAuthHeader(auth: RegistryAuth): string {
  const json = JSON.stringify({
    username: auth.username,
    password: auth.password,
    serveraddress: auth.serveraddress,
  });
  return Buffer.from(json, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** One registry login for a Docker config file. */
export interface DockerConfigEntry extends RegistryCredentials {
  host: string;
}

/**
 * A Docker CLI config (`{"auths": {"<host>": {"auth": base64(user:pass)}}}`) for these logins; the
 * key is the server address (`https://index.docker.io/v1/` for Docker Hub, else the host).
 */
export function dockerConfigJson(entries: readonly DockerConfigEntry[]): string {
  const auths: Record<string, { auth: string }> = {};
  for (const e of entries) {
    auths[serverAddressFor(e.host)] = {
      auth: Buffer.from(`${e.username}:${e.password}`, 'utf8').toString('base64'),
    };
  }
  return `${JSON.stringify({ auths }, null, 2)}\n`;
}

/**
 * Write `config.json` with these logins into `dir` (created 0700 if missing) with mode 0600, for a
 * per-run `DOCKER_CONFIG` (Compose, the CLI). Returns the file's path. Never touches `~/.docker`.
 */
export async function writeDockerConfig(dir: string, entries: readonly DockerConfigEntry[]): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'config.json');
  const tmp = path.join(dir, `.config.json.${process.pid}.${Date.now()}`);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(dockerConfigJson(entries), 'utf8');
  } finally {
    await handle.close();
  }
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
  return file;
}
