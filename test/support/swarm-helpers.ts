import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { importBusyboxImage } from './docker.js';
import type { BedNode, SwarmBed } from './swarm-bed.js';
import { CONNECTOR_EDGE_PORT } from './swarm-connector-image.js';

/** Serves its own hostname (the task's container id) on port 80 and says where it started. */
export const WHOAMI_IMAGE = 'warp-test/whoami:latest';

/** Build the whoami image in the main engine (idempotent). */
export const ensureWhoamiImage = (docker: Docker) =>
  importBusyboxImage(docker, WHOAMI_IMAGE, [
    'ENV PATH=/bin',
    'CMD ["sh", "-c", "hostname > /tmp/index.html; echo serving as $(hostname); exec httpd -f -p 80 -h /tmp"]',
  ]);

/** Output of a command run inside a running container (exec, stdout and stderr). */
export async function execIn(docker: Docker, container: string, cmd: string[]): Promise<string> {
  const exec = await docker
    .getContainer(container)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const body = Buffer.concat(chunks);
  let out = '';
  for (let at = 0; at + 8 <= body.length; ) {
    const size = body.readUInt32BE(at + 4);
    out += body.subarray(at + 8, at + 8 + size).toString('utf8');
    at += 8 + size;
  }
  return out;
}

/** A running task of a service: its container and the bed node it runs on. */
export interface RunningTask {
  id: string;
  containerId: string;
  node: BedNode;
}

/** The running tasks of a service, with the bed node of each (asked of the manager). */
export async function runningTasks(bed: SwarmBed, service: string): Promise<RunningTask[]> {
  const tasks = (await bed.manager.docker.listTasks({
    filters: { service: [service], 'desired-state': ['running'] },
  })) as {
    ID: string;
    NodeID: string;
    Status: { State: string; ContainerStatus?: { ContainerID?: string } };
  }[];
  return tasks
    .filter((t) => t.Status.State === 'running' && t.Status.ContainerStatus?.ContainerID)
    .map((t) => ({
      id: t.ID,
      containerId: t.Status.ContainerStatus!.ContainerID!,
      node: bed.nodes.find((n) => n.nodeId === t.NodeID)!,
    }))
    .filter((t) => t.node);
}

/** Wait until `check` passes (it throws or returns false until then). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(`${what} did not happen in time${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(500);
  }
}

/** What "the edge" got back for one request through a connector. */
export interface EdgeAnswer {
  status: number;
  body: string;
}

/**
 * Send `count` requests for `host` to the connector in `task`, as the edge would (to its edge port,
 * from inside its container: the connector forwards by its ingress rules over the overlay network).
 */
export async function throughConnector(
  task: RunningTask,
  host: string,
  count: number,
): Promise<EdgeAnswer[]> {
  const script = `
    const http = require('node:http');
    const one = () => new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: ${CONNECTOR_EDGE_PORT}, path: '/', headers: { host: ${JSON.stringify(host)} }, agent: false, timeout: 5000 }, (res) => {
        let body = ''; res.setEncoding('utf8'); res.on('data', (c) => body += c);
        res.on('end', () => resolve({ status: res.statusCode, body: body.trim() }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: 0, body: e.message }));
    });
    (async () => { const out = []; for (let i = 0; i < ${count}; i++) out.push(await one()); console.log(JSON.stringify(out)); })();`;
  const out = await execIn(task.node.docker, task.containerId, ['/usr/bin/node', '-e', script]);
  const line = out.trim().split('\n').at(-1) ?? '[]';
  return JSON.parse(line) as EdgeAnswer[];
}

/** What the edge stand-in counted: requests answered, failed after trying every connector, and retries. */
export interface EdgeRun {
  requests: number;
  ok: number;
  failed: number;
  retried: number;
  statuses: Record<string, number>;
}

/**
 * A stand-in for Cloudflare's edge, in a container on the overlay network: for `seconds`, request
 * `host` through a connector of the cloudflared service (found by its DNS name, every task), and — as
 * the edge does with a connector that unregistered or went away — try the next connector when one
 * refuses or answers "unregistered". A request fails only when no connector answered it.
 */
export async function runEdge(
  bed: SwarmBed,
  o: { node: BedNode; image: string; network: string; service: string; host: string; seconds: number },
): Promise<EdgeRun> {
  const script = `
    const dns = require('node:dns').promises; const http = require('node:http');
    const [service, host, seconds] = process.argv.slice(1);
    const one = (ip) => new Promise((resolve) => {
      const req = http.get({ host: ip, port: ${CONNECTOR_EDGE_PORT}, path: '/', headers: { host }, agent: false, timeout: 5000 }, (res) => {
        res.resume(); res.on('end', () => resolve({ status: res.statusCode, unregistered: res.headers['x-fake-cloudflared'] === 'unregistered' }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: 0 }));
    });
    (async () => {
      const out = { requests: 0, ok: 0, failed: 0, retried: 0, statuses: {} };
      const until = Date.now() + Number(seconds) * 1000;
      while (Date.now() < until) {
        out.requests++;
        const ips = (await dns.lookup(service, { all: true }).catch(() => [])).map((a) => a.address).sort(() => Math.random() - 0.5);
        let answered = null;
        for (const ip of ips) {
          const r = await one(ip);
          if (r.status === 0 || r.unregistered) { out.retried++; continue; }
          answered = r; break;
        }
        if (!answered) { out.failed++; await new Promise((r) => setTimeout(r, 50)); continue; }
        out.statuses[answered.status] = (out.statuses[answered.status] || 0) + 1;
        if (answered.status === 200) out.ok++;
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify(out));
    })();`;
  const { code, output } = await bed.run(o.node, {
    image: o.image,
    entrypoint: ['/usr/bin/node', '-e', script],
    cmd: [o.service, o.host, String(o.seconds)],
    network: o.network,
  });
  if (code !== 0) throw new Error(`edge stand-in exited ${code}: ${output}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as EdgeRun;
}
