import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CloudflaredReplicas, startCloudflaredReplicas } from '../support/cloudflared-replicas.js';
import { createFakeEdge, type FakeEdge } from '../support/fake-edge.js';
import { startSteadyLoad } from '../support/steady-load.js';

/**
 * The fake cloudflared connector (test/fakes/cloudflared-connector.ts) and the fake edge in front of it: routing
 * by the ingress rules, 502 on a dead origin, /ready, draining on SIGTERM, and the property the release code
 * relies on — two connectors restarted one after the other lose no request, one connector restarted does.
 * Origins are plain node HTTP servers; no Docker.
 */

interface Origin {
  name: string;
  port: number;
  /** Responses of /hold requests, waiting for release(). */
  held: http.ServerResponse[];
  /** Request-body chunks /upload has seen so far. */
  uploadSeen: string[];
  release(): void;
  close(): Promise<void>;
}

/** An origin: `/hold` sends "first;" then waits for release(), `/upload` records chunks as they come, `/slow`
 * answers after 150 ms, anything else echoes the request as JSON. */
async function startOrigin(name: string): Promise<Origin> {
  const held: http.ServerResponse[] = [];
  const uploadSeen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/hold')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      held.push(res);
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
      if (url.startsWith('/upload')) uploadSeen.push(c.toString());
    });
    req.on('end', () => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-origin': name });
        res.end(
          JSON.stringify({
            origin: name,
            method: req.method,
            url,
            host: req.headers.host,
            headers: req.headers,
            body,
          }),
        );
      };
      if (url.startsWith('/slow')) setTimeout(answer, 150);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    port: (server.address() as AddressInfo).port,
    held,
    uploadSeen,
    release() {
      for (const res of held.splice(0)) res.end('last');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** One request to host:port (a connector's listen address or the edge) with the given Host header. */
function send(
  addr: string,
  host: string,
  urlPath = '/',
  init: { method?: string; body?: string } = {},
): Promise<Answer> {
  const [hostname, port] = addr.replace(/^http:\/\//, '').split(':');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        path: urlPath,
        method: init.method ?? 'GET',
        headers: { host, 'x-custom': 'kept' },
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(init.body);
  });
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function ready(metrics: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://${metrics}/ready`);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-fake-cfd-'));
const origins: Record<'a' | 'b' | 'c' | 'd', Origin> = {} as never;
let configPath = '';
let dead = 0;

function writeConfig(file: string, extra = ''): string {
  fs.writeFileSync(
    file,
    `tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
credentials-file: /nonexistent/6ff42ae2.json
ingress:
${extra}  - hostname: api.example.com
    path: ^/v1/
    service: http://127.0.0.1:${origins.c.port}
  - hostname: api.example.com
    service: http_status:418
  - hostname: "*.wild.example.com"
    service: http://127.0.0.1:${origins.b.port}
  - hostname: app.example.com
    service: http://127.0.0.1:${origins.a.port}
  - hostname: "*.example.com"
    service: http://127.0.0.1:${origins.d.port}
  - hostname: dead.example.org
    service: http://127.0.0.1:${dead}
  - service: http_status:404
`,
  );
  return file;
}

beforeAll(async () => {
  for (const name of ['a', 'b', 'c', 'd'] as const) origins[name] = await startOrigin(name);
  dead = await deadPort();
  configPath = writeConfig(path.join(dir, 'config.yml'));
});

afterAll(async () => {
  await Promise.all(Object.values(origins).map((o) => o.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

let replicas: CloudflaredReplicas | null = null;
let edge: FakeEdge | null = null;
afterEach(async () => {
  for (const o of Object.values(origins)) o.release();
  await edge?.close();
  await replicas?.close();
  edge = null;
  replicas = null;
});

describe('fake cloudflared connector: routing', () => {
  it('routes by hostname, wildcard, path and order, with the catch-all last', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath });
    const { listen } = replicas.addresses[0]!;
    const originOf = async (host: string, p = '/') => {
      const r = await send(listen, host, p);
      return r.status === 200 ? (JSON.parse(r.body) as { origin: string }).origin : r.status;
    };
    expect(await originOf('app.example.com')).toBe('a');
    expect(await originOf('app.example.com:443')).toBe('a'); // port stripped from Host
    expect(await originOf('x.wild.example.com')).toBe('b');
    expect(await originOf('a.b.wild.example.com')).toBe('b'); // `*.` matches deeper names too
    expect(await originOf('wild.example.com')).toBe('d'); // …but not the bare suffix: next rule, `*.example.com`
    expect(await originOf('other.example.com')).toBe('d');
    expect(await originOf('api.example.com', '/v1/users')).toBe('c');
    expect(await originOf('api.example.com', '/v2/users?next=/v1/')).toBe(418); // path only, no query
    expect(await originOf('api.example.com', '/x/v1/')).toBe(418); // unanchored match, so `^` matters
    expect(await originOf('example.com')).toBe(404);
    expect(await originOf('unknown.test')).toBe(404);
  });

  it('keeps method, headers, Host and body', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath });
    const r = await send(replicas.addresses[0]!.listen, 'app.example.com', '/echo?x=1', {
      method: 'PUT',
      body: 'hello body',
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-origin']).toBe('a');
    expect(r.headers['cf-cloudflared-response-meta']).toBe('{"src":"origin"}');
    const echo = JSON.parse(r.body);
    expect(echo).toMatchObject({
      method: 'PUT',
      url: '/echo?x=1',
      host: 'app.example.com',
      body: 'hello body',
    });
    expect(echo.headers['x-custom']).toBe('kept');
  });

  it('streams request and response bodies', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath });
    const [hostname, port] = replicas.addresses[0]!.listen.split(':');
    // Response: the first chunk arrives while the origin still holds the rest.
    const first = await new Promise<{ res: http.IncomingMessage; chunk: string }>((resolve, reject) => {
      http
        .get({ hostname, port, path: '/hold', headers: { host: 'app.example.com' }, agent: false }, (res) =>
          res.once('data', (c: Buffer) => resolve({ res, chunk: c.toString() })),
        )
        .once('error', reject);
    });
    expect(first.chunk).toBe('first;');
    expect(origins.a.held).toHaveLength(1);
    let rest = '';
    first.res.on('data', (c: Buffer) => {
      rest += c.toString();
    });
    const ended = new Promise((r) => first.res.once('end', r));
    origins.a.release();
    await ended;
    expect(rest).toBe('last');
    // Request: the origin sees the first chunk before the client has sent the second.
    origins.a.uploadSeen.length = 0;
    const answer = new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          hostname,
          port,
          path: '/upload',
          method: 'POST',
          headers: { host: 'app.example.com' },
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.once('end', () => resolve(body));
        },
      );
      req.once('error', reject);
      req.write('part1;');
      void waitFor('the first upload chunk at the origin', () => origins.a.uploadSeen.length > 0).then(() =>
        req.end('part2'),
      );
    });
    expect(JSON.parse(await answer).body).toBe('part1;part2');
    expect(origins.a.uploadSeen[0]).toBe('part1;');
  });

  it('answers 502 when the origin refuses the connection', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath });
    const r = await send(replicas.addresses[0]!.listen, 'dead.example.org');
    expect(r.status).toBe(502);
    expect(r.headers['cf-cloudflared-response-meta']).toBe('{"src":"cloudflared"}');
    expect(replicas.logs(0)).toMatch(/Unable to reach the origin service/);
  });

  it('reads config.yml only at start', async () => {
    const own = writeConfig(path.join(dir, 'reload.yml'));
    replicas = await startCloudflaredReplicas({ count: 1, configPath: own });
    const { listen } = replicas.addresses[0]!;
    expect((await send(listen, 'app.example.com')).status).toBe(200);
    writeConfig(own, '  - hostname: app.example.com\n    service: http_status:410\n');
    expect((await send(listen, 'app.example.com')).status).toBe(200);
    await replicas.restartOne(0);
    expect((await send(listen, 'app.example.com')).status).toBe(410);
  });
});

describe('fake cloudflared connector: /ready and SIGTERM', () => {
  it('is not ready until "connected", then ready; /metrics follows', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath, readyDelayMs: 1500 });
    const { metrics } = replicas.addresses[0]!;
    const before = await ready(metrics);
    await replicas.stop(0);
    await replicas.start(0, { untilReady: false });
    const starting = await ready(metrics);
    expect(starting.status).toBe(503);
    expect(starting.json).toMatchObject({ status: 503, readyConnections: 0 });
    expect(await (await fetch(`http://${metrics}/metrics`)).text()).toMatch(
      /^cloudflared_tunnel_ha_connections 0$/m,
    );
    await waitFor('/ready 200', async () => (await ready(metrics)).status === 200);
    const up = await ready(metrics);
    expect(up.json).toMatchObject({ status: 200, readyConnections: 4 });
    expect(up.json.connectorId).toBe(starting.json.connectorId);
    expect(up.json.connectorId).not.toBe(before.json.connectorId); // a new connector per process
    expect(await (await fetch(`http://${metrics}/metrics`)).text()).toMatch(
      /^cloudflared_tunnel_ha_connections 4$/m,
    );
  });

  it('on SIGTERM turns /ready 503, proxies no new request, lets in-flight ones finish, then exits 0', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath, gracePeriod: '30s' });
    const { listen, metrics } = replicas.addresses[0]!;
    const inFlight = [send(listen, 'app.example.com', '/hold/1'), send(listen, 'app.example.com', '/hold/2')];
    await waitFor('two held requests', () => origins.a.held.length === 2);
    let exited = false;
    const exit = replicas.exited(0).then((e) => {
      exited = true;
      return e;
    });
    replicas.signal(0, 'SIGTERM');
    await waitFor('/ready 503', async () => (await ready(metrics)).status === 503);
    expect((await ready(metrics)).json).toMatchObject({ readyConnections: 0 });
    const late = await send(listen, 'app.example.com', '/hold/late');
    expect(late.status).toBe(503);
    expect(late.headers['x-fake-cloudflared']).toBe('unregistered');
    expect(origins.a.held).toHaveLength(2); // the late request never reached the origin
    expect(exited).toBe(false);
    origins.a.release();
    for (const r of await Promise.all(inFlight)) expect(r).toMatchObject({ status: 200, body: 'first;last' });
    expect(await exit).toEqual({ code: 0, signal: null });
    await expect(send(listen, 'app.example.com')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('exits at grace expiry with requests still in flight', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath, gracePeriod: '300ms' });
    const pending = send(replicas.addresses[0]!.listen, 'app.example.com', '/hold').catch((e: Error) => e);
    await waitFor('the held request', () => origins.a.held.length === 1);
    replicas.signal(0, 'SIGTERM');
    expect(await replicas.exited(0)).toEqual({ code: 0, signal: null });
    expect(await pending).toBeInstanceOf(Error); // cut off mid-body
    expect(origins.a.held).toHaveLength(1); // never released
  });

  it('dies at once on a second SIGTERM', async () => {
    replicas = await startCloudflaredReplicas({ count: 1, configPath, gracePeriod: '3m' });
    const { listen, metrics } = replicas.addresses[0]!;
    const pending = send(listen, 'app.example.com', '/hold').catch((e: Error) => e);
    await waitFor('the held request', () => origins.a.held.length === 1);
    replicas.signal(0, 'SIGTERM');
    await waitFor('/ready 503', async () => (await ready(metrics)).status === 503);
    replicas.signal(0, 'SIGTERM');
    expect(await replicas.exited(0)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('fake edge in front of connectors: restarts under steady load', () => {
  /** 50 req/s through the edge to a 150 ms origin path (so requests are in flight at every restart). */
  async function restartUnderLoad(count: number, restart: (r: CloudflaredReplicas) => Promise<void>) {
    replicas = await startCloudflaredReplicas({ count, configPath, gracePeriod: '5s' });
    edge = await createFakeEdge({ replicas: replicas.addresses });
    await edge.waitForReady(count);
    const load = startSteadyLoad({ url: `${edge.url}/slow`, host: 'app.example.com', rate: 50 });
    await waitFor('25 answers before the restart', () => load.snapshot().ok >= 25);
    await restart(replicas);
    const okAfterRestart = load.snapshot().ok;
    await waitFor('25 answers after the restart', () => load.snapshot().ok >= okAfterRestart + 25);
    const result = await load.stop();
    const stats = edge.stats();
    process.stdout.write(
      `fake-cloudflared ${count} replica(s): sent ${result.sent}, ok ${result.ok}, failed ${result.failed} ` +
        `${JSON.stringify(result.failures)}; edge forwarded ${JSON.stringify(stats.forwarded)}, ` +
        `refused ${JSON.stringify(stats.refused)}, other errors ${JSON.stringify(stats.connectionErrors)}, ` +
        `retries ${stats.retries}, 530 ${stats.noReadyReplica}, 502 ${stats.unreachable + stats.replicaFailed}\n`,
    );
    return { result, stats };
  }

  it('two replicas, restarted one after the other, lose no request', async () => {
    const { result, stats } = await restartUnderLoad(2, async (r) => {
      await r.restartOne(0);
      await r.restartOne(1);
    });
    expect(result.failures).toEqual({});
    expect(result.failed).toBe(0);
    expect(result.ok).toBe(result.sent);
    expect(stats.forwarded.every((n) => n > 0)).toBe(true);
    expect(stats.noReadyReplica + stats.unreachable + stats.replicaFailed + stats.midStreamAborts).toBe(0);
  });

  it('one replica, restarted, loses requests', async () => {
    const { result } = await restartUnderLoad(1, async (r) => {
      await r.restartOne(0);
    });
    // While the only connector is down and then not yet ready (FAKE_CLOUDFLARED_READY_DELAY_MS, 300 ms, plus
    // the start-up) every request sent fails, and one is sent every 20 ms.
    expect(result.failed).toBeGreaterThan(0);
    expect(Object.keys(result.failures).every((k) => k === 'status:530' || k === 'status:502')).toBe(true);
  });
});
