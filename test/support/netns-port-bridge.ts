/**
 * A project with target "host" on the bed's manager publishes its port on 127.0.0.1 of the
 * manager's network namespace, where the panel (in this test process, in the host's namespace)
 * cannot reach it — on a real machine the panel and the engine share one. The bridge watches the
 * manager's containers carrying `label` and, for each host port they publish, listens on 127.0.0.1
 * of this namespace and carries every connection into the node's namespace (`nsenter --net` running
 * a byte pipe), so the health gate sees the app as it would on the machine itself. Listeners open
 * only once a container publishes the port (the panel's free-port probe still sees it free before).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import type { BedNode } from './swarm-bed.js';

/** A byte pipe between stdin/stdout and 127.0.0.1:<argv[1]> (run inside the node's namespace). */
const PIPE = [
  "const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');",
  'process.stdin.pipe(s); s.pipe(process.stdout);',
  "s.on('error', () => process.exit(1)); s.on('close', () => process.exit(0));",
].join(' ');

/** A running bridge. */
export interface PortBridge {
  /** Host ports bridged now. */
  ports(): number[];
  close(): Promise<void>;
}

/** Bridge the host ports the node's containers with `label` publish (polled every 200 ms). */
export function bridgeHostPorts(node: BedNode, label: string): PortBridge {
  const servers = new Map<number, net.Server>();
  const children = new Set<ChildProcess>();
  let closed = false;

  const open = (port: number) => {
    const server = net.createServer((socket) => {
      const child = spawn(
        'nsenter',
        [`--net=/var/run/netns/${node.netns}`, process.execPath, '-e', PIPE, String(port)],
        {
          stdio: ['pipe', 'pipe', 'ignore'],
        },
      );
      children.add(child);
      child.on('exit', () => {
        children.delete(child);
        socket.destroy();
      });
      socket.on('error', () => child.kill());
      socket.on('close', () => child.kill());
      socket.pipe(child.stdin!);
      child.stdout!.pipe(socket);
    });
    server.on('error', () => servers.delete(port));
    server.listen(port, '127.0.0.1');
    servers.set(port, server);
  };

  const poll = async () => {
    while (!closed) {
      const list = await node.docker.listContainers({ filters: { label: [label] } }).catch(() => null);
      if (list) {
        const published = new Set(
          list.flatMap((c) => c.Ports.filter((p) => p.PublicPort && p.IP !== '::').map((p) => p.PublicPort)),
        );
        for (const port of published) if (!servers.has(port)) open(port);
        for (const [port, server] of servers) {
          if (!published.has(port)) {
            server.close();
            servers.delete(port);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const running = poll();

  return {
    ports: () => [...servers.keys()].sort(),
    async close() {
      closed = true;
      await running;
      for (const server of servers.values()) server.close();
      servers.clear();
      for (const child of children) child.kill();
    },
  };
}
