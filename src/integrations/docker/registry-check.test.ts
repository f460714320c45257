import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRegistryCredentials,
  isLoopbackRegistry,
  listRegistryTags,
  parseAuthChallenge,
  registryBaseUrl,
} from './registry-check.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** A registry speaking the bearer-token flow (like Docker Hub or GHCR), its token service on the same server. */
function tokenRegistry() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const host = req.headers.host;
    if (url.pathname === '/token') {
      if (req.headers.authorization && req.headers.authorization !== basic('octo', 'ghp_good')) {
        res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const scope = url.searchParams.get('scope') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `tok:${req.headers.authorization ? 'user' : 'anon'}:${scope}` }));
      return;
    }
    const auth = req.headers.authorization ?? '';
    const challenge = `Bearer realm="http://${host}/token",service="test-registry"`;
    if (url.pathname === '/v2/') {
      if (auth !== 'Bearer tok:user:') {
        res.writeHead(401, { 'www-authenticate': challenge }).end();
        return;
      }
      res.writeHead(200).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (m) {
      if (!auth.startsWith('Bearer tok:')) {
        res.writeHead(401, { 'www-authenticate': `${challenge},scope="repository:${m[1]}:pull"` }).end();
        return;
      }
      if (m[1] !== 'org/app') {
        res.writeHead(404).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
        return;
      }
      res.writeHead(200).end(JSON.stringify({ name: m[1], tags: ['1.0', '1.1'] }));
      return;
    }
    res.writeHead(404).end();
  });
  return { server, seen };
}

/** A registry with htpasswd-style basic auth (like docker-registry). */
function basicRegistry() {
  return http.createServer((req, res) => {
    if (req.headers.authorization !== basic('alice', 's3cret')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="warp-test"' }).end();
      return;
    }
    res.writeHead(200).end('{}');
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe('registry credentials check', () => {
  const token = tokenRegistry();
  const basicServer = basicRegistry();
  const open = http.createServer((_req, res) => res.writeHead(200).end('{}'));
  const silent = http.createServer(() => {});
  let tokenHost = '';
  let basicHost = '';
  let openHost = '';
  let silentHost = '';

  beforeAll(async () => {
    tokenHost = await listen(token.server);
    basicHost = await listen(basicServer);
    openHost = await listen(open);
    silentHost = await listen(silent);
  });
  afterAll(async () => {
    for (const s of [token.server, basicServer, open, silent]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('parses WWW-Authenticate challenges', () => {
    expect(
      parseAuthChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' },
    });
    expect(parseAuthChallenge('Basic realm="basic-realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'basic-realm' },
    });
    expect(parseAuthChallenge(null)).toBeNull();
  });

  it('speaks http to loopback registries and https to the rest', () => {
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('127.8.0.1')).toBe(true);
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true);
    expect(isLoopbackRegistry('128.0.0.1')).toBe(false);
    expect(isLoopbackRegistry('ghcr.io')).toBe(false);
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
  });

  it('speaks TLS to a registry that is not on loopback (a plain HTTP server there fails the handshake)', async () => {
    const ip = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!ip) return; // no non-loopback address on this machine
    const plain = http.createServer((_req, res) => res.end('plain'));
    await new Promise<void>((r) => plain.listen(0, ip, r));
    try {
      const host = `${ip}:${(plain.address() as net.AddressInfo).port}`;
      const result = await checkRegistryCredentials(
        host,
        { username: 'u', password: 'p' },
        { timeoutMs: 5000 },
      );
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(new RegExp(`registry ${host.replaceAll('.', '\\.')} is unreachable`));
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it('checks basic-auth credentials', async () => {
    expect(await checkRegistryCredentials(basicHost, { username: 'alice', password: 's3cret' })).toEqual({
      ok: true,
      message: `credentials of alice work for registry ${basicHost}`,
    });
    expect(await checkRegistryCredentials(basicHost, { username: 'alice', password: 'nope' })).toEqual({
      ok: false,
      message: `registry ${basicHost} rejected the credentials of alice`,
    });
  });

  it('checks credentials through a bearer token service', async () => {
    const good = await checkRegistryCredentials(tokenHost, { username: 'octo', password: 'ghp_good' });
    expect(good).toEqual({ ok: true, message: `credentials of octo work for registry ${tokenHost}` });
    expect(token.seen).toContain('GET /token?service=test-registry&account=octo&client_id=warp-panel');
    const bad = await checkRegistryCredentials(tokenHost, { username: 'octo', password: 'ghp_bad' });
    expect(bad).toEqual({ ok: false, message: `registry ${tokenHost} rejected the credentials of octo` });
  });

  it('says when a registry needs no credentials, is unreachable or does not answer', async () => {
    expect(await checkRegistryCredentials(openHost, { username: 'a', password: 'b' })).toEqual({
      ok: true,
      message: `registry ${openHost} answers without credentials; nothing to check`,
    });
    const closed = basicHost.replace(/:\d+$/, ':1');
    expect(await checkRegistryCredentials(closed, { username: 'a', password: 'b' })).toEqual({
      ok: false,
      message: `registry ${closed} is unreachable (connection refused)`,
    });
    const slow = await checkRegistryCredentials(
      silentHost,
      { username: 'a', password: 'b' },
      { timeoutMs: 300 },
    );
    expect(slow).toEqual({ ok: false, message: `registry ${silentHost} is unreachable (timed out)` });
  });

  it('lists tags with a pull-scoped token, and tells a missing repository', async () => {
    const creds = { username: 'octo', password: 'ghp_good' };
    expect(await listRegistryTags(tokenHost, 'org/app', creds)).toEqual({
      exists: true,
      tags: ['1.0', '1.1'],
    });
    expect(token.seen).toContain(
      'GET /token?service=test-registry&scope=repository%3Aorg%2Fapp%3Apull&account=octo&client_id=warp-panel',
    );
    expect(await listRegistryTags(tokenHost, 'org/nope', creds)).toEqual({ exists: false });
    expect(await listRegistryTags(basicHost, 'org/app', undefined)).toBeNull();
  });
});
