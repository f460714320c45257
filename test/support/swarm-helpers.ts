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
