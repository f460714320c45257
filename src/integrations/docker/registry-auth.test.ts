import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalRegistryHost,
  DOCKER_HUB_SERVER_ADDRESS,
  dockerConfigJson,
  isDockerHub,
  registryApiHost,
  registryAuth,
  registryAuthHeader,
  registryHostOf,
  serverAddressFor,
  writeDockerConfig,
} from './registry-auth.js';

const decode = (header: string) =>
  JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));

describe('registry auth helpers', () => {
  it('treats every Docker Hub alias as docker.io, with the legacy index as server address', () => {
    for (const h of [
      'docker.io',
      'index.docker.io',
      'registry-1.docker.io',
      'https://index.docker.io/v1/',
      'DOCKER.IO',
    ]) {
      expect(canonicalRegistryHost(h)).toBe('docker.io');
      expect(isDockerHub(h)).toBe(true);
      expect(serverAddressFor(h)).toBe(DOCKER_HUB_SERVER_ADDRESS);
      expect(registryApiHost(h)).toBe('registry-1.docker.io');
    }
    expect(serverAddressFor('ghcr.io')).toBe('ghcr.io');
    expect(serverAddressFor('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(serverAddressFor('https://ghcr.io/')).toBe('ghcr.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
  });

  it('finds the registry of an image reference', () => {
    expect(registryHostOf('nginx')).toBe('docker.io');
    expect(registryHostOf('excalidraw/excalidraw:latest')).toBe('docker.io');
    expect(registryHostOf('index.docker.io/library/redis:7')).toBe('docker.io');
    expect(registryHostOf('ghcr.io/org/app:1.2')).toBe('ghcr.io');
    expect(registryHostOf(`127.0.0.1:5000/warp/app@sha256:${'a'.repeat(64)}`)).toBe('127.0.0.1:5000');
    expect(registryHostOf('localhost/app')).toBe('localhost');
  });

  it('encodes X-Registry-Auth as base64url JSON with username, password and serveraddress', () => {
    const auth = registryAuth('docker.io', { username: 'me', password: 'p?>>?~~~' });
    const header = registryAuthHeader(auth);
    expect(header).not.toMatch(/[+/]/);
    expect(decode(header)).toEqual({
      username: 'me',
      password: 'p?>>?~~~',
      serveraddress: DOCKER_HUB_SERVER_ADDRESS,
    });
    // GHCR: a user name and a personal access token, server address ghcr.io.
    const ghcr = registryAuth('ghcr.io', { username: 'octo', password: 'ghp_x' });
    expect(decode(registryAuthHeader(ghcr))).toEqual({
      username: 'octo',
      password: 'ghp_x',
      serveraddress: 'ghcr.io',
    });
  });

  it('builds a Docker config keyed by server address', () => {
    const json = JSON.parse(
      dockerConfigJson([
        { host: 'registry-1.docker.io', username: 'me', password: 'pw' },
        { host: '127.0.0.1:5000', username: 'alice', password: 'a:b' },
      ]),
    );
    expect(json).toEqual({
      auths: {
        [DOCKER_HUB_SERVER_ADDRESS]: { auth: Buffer.from('me:pw').toString('base64') },
        '127.0.0.1:5000': { auth: Buffer.from('alice:a:b').toString('base64') },
      },
    });
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-dockercfg-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes config.json with mode 0600 (and replaces an earlier one)', async () => {
    const target = path.join(dir, 'run-1');
    const file = await writeDockerConfig(target, [{ host: 'ghcr.io', username: 'octo', password: 'one' }]);
    expect(file).toBe(path.join(target, 'config.json'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(target).mode & 0o777).toBe(0o700);
    await writeDockerConfig(target, [{ host: 'ghcr.io', username: 'octo', password: 'two' }]);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Buffer.from(json.auths['ghcr.io'].auth, 'base64').toString()).toBe('octo:two');
    expect(fs.readdirSync(target)).toEqual(['config.json']);
  });
});
