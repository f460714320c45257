/**
 * A real multi-node Docker Swarm on this one machine, for tests: each node is its own `dockerd` (the
 * Engine 26 the main engine runs) in its own network namespace, wired to a bridge that lives in a
 * namespace of its own (the "switch"), so nothing of it appears in — or passes through — the host's
 * network namespace, its firewall or its docker0. The main engine on /var/run/docker.sock is never
 * touched (images are copied out of it with `docker save`, nothing else).
 *
 *   switch netns  br0 ─┬─ veth ── node 1 netns  eth0 10.213.0.11  dockerd (Swarm manager)
 *                      └─ veth ── node 2 netns  eth0 10.213.0.12  dockerd (Swarm worker)
 *
 * Per daemon: its own --data-root, --exec-root, --pidfile, unix socket, bridge (`wbr0`, created in its
 * namespace; never `--bridge=none`), `--iptables=false --ip-masq=false`, its own hostname (a UTS
 * namespace) and DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 (tasks use the loaded images; nothing pulls).
 * The switch lives in a namespace because the host has br_netfilter on: a bridge in the host
 * namespace would send the nodes' traffic through the host's FORWARD chain (policy DROP).
 *
 * Needs root, iproute2 (`ip netns`, veth, bridge), util-linux (`nsenter`, `unshare`) and a kernel with
 * vxlan (overlay networks). This kernel has no IPVS, so Swarm's virtual IPs do not answer: services
 * the tests reach by name use `endpoint_mode: dnsrr` (the panel's `swarm.endpointMode` setting).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { requireDocker } from './docker.js';

/** Engine 26 from the Debian 13 packages (see .ci/setup-engine.sh), with Debian 12's runc. */
const PREFIX = process.env.WARP_CI_TRIXIE ?? '/opt/warp-ci/trixie';
const DOCKERD = `${PREFIX}/usr/sbin/dockerd`;
const PATH_ENV = `${PREFIX}/usr/sbin:${PREFIX}/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
const ROOT_PREFIX = '/tmp/warp-swarm-';
const SUBNET = '10.213.0';

/** One node of the bed. */
export interface BedNode {
  index: number;
  /** The node's hostname (and Swarm node name). */
  hostname: string;
  /** Its address on the bed's network (advertise address). */
  address: string;
  /** `unix:///…/docker.sock` of its daemon: the panel's DOCKER_HOST for the manager. */
  dockerHost: string;
  docker: Docker;
  netns: string;
  /** Swarm node id (set once the node is in the Swarm). */
  nodeId: string;
  /** Whether its daemon runs (false after `killNode`). */
  alive: boolean;
}

/** A running bed. */
export interface SwarmBed {
  id: string;
  root: string;
  manager: BedNode;
  workers: BedNode[];
  nodes: BedNode[];
  /** Copy images from the main engine into every live node (`docker save` → `docker load`). */
  loadImages(images: string[]): Promise<void>;
  /** Run a throwaway container on `node` (attached to `network`); resolves to its exit code and output. */
  run(
    node: BedNode,
    opts: { image: string; cmd: string[]; entrypoint?: string[]; network?: string },
  ): Promise<{ code: number; output: string }>;
  /** The machine is gone: its daemon is SIGKILLed and its cable pulled (its leftover tasks cannot answer). */
  killNode(node: BedNode): Promise<void>;
  /** Tear everything down: daemons, their containers, mounts, namespaces, data roots. */
  close(): Promise<void>;
}

/** Why the bed cannot run here (null when it can). */
export function swarmBedProblem(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, a second dockerd)';
  if (!fs.existsSync(DOCKERD)) return `no Engine 26 dockerd at ${DOCKERD} (run .ci/setup-engine.sh install)`;
  for (const bin of ['ip', 'nsenter', 'unshare', 'docker']) {
    if (spawnSync('sh', ['-c', 'command -v "$0"', bin]).status !== 0) return `${bin} is not installed`;
  }
  const probe = `warp-sw-probe-${process.pid}`;
  const added = spawnSync('ip', ['netns', 'add', probe]);
  if (added.status !== 0) return `ip netns add fails: ${added.stderr.toString().trim()}`;
  const vx = spawnSync('ip', [
    '-n',
    probe,
    'link',
    'add',
    'vx0',
    'type',
    'vxlan',
    'id',
    '42',
    'dstport',
    '4789',
  ]);
  spawnSync('ip', ['netns', 'del', probe]);
  if (vx.status !== 0)
    return `the kernel cannot make vxlan links (overlay networks): ${vx.stderr.toString().trim()}`;
  return null;
}

function sh(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

interface Manifest {
  owner: number;
  root: string;
  netns: string[];
  pids: number[];
}

const manifestPath = (root: string) => path.join(root, 'bed.json');

/** Every process (pid → ppid, cmdline). */
function processes(): { pid: number; ppid: number; cmd: string }[] {
  const out: { pid: number; ppid: number; cmd: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(entry), ppid, cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The bed's processes: its daemons, what refers to its root (containerd, shims) and their descendants. */
function bedProcesses(m: Manifest): number[] {
  const all = processes();
  const mine = new Set(all.filter((p) => m.pids.includes(p.pid) || p.cmd.includes(m.root)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  return [...mine];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Tear down what a manifest names; safe to repeat. */
async function teardown(m: Manifest): Promise<void> {
  // Daemons first, politely: a clean dockerd stop stops its containers and unmounts.
  for (const pid of m.pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
  const until = Date.now() + 20_000;
  while (m.pids.some(alive) && Date.now() < until) await sleep(200);
  for (let round = 0; round < 3; round++) {
    const left = bedProcesses(m);
    if (left.length === 0) break;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(300);
  }
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${m.root}/`))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) spawnSync('umount', ['-l', mount]);
  for (const ns of m.netns) spawnSync('ip', ['netns', 'del', ns]);
  fs.rmSync(m.root, { recursive: true, force: true });
}

/** Beds left by test processes that died (their owner pid is gone) are torn down before a new one starts. */
async function sweepStale(): Promise<void> {
  for (const entry of fs.readdirSync('/tmp')) {
    const root = `/tmp/${entry}`;
    if (!root.startsWith(ROOT_PREFIX)) continue;
    try {
      const m = JSON.parse(fs.readFileSync(manifestPath(root), 'utf8')) as Manifest;
      if (!alive(m.owner)) await teardown(m);
    } catch {
      // not a bed, or one being set up
    }
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(`swarm bed: ${what} timed out${last ? ` (${(last as Error).message})` : ''}`);
}

/** Start a bed: one manager and `workers` workers (default 1), joined into a Swarm. */
export async function startSwarmBed(
  opts: { workers?: number; heartbeatSeconds?: number } = {},
): Promise<SwarmBed> {
  const problem = swarmBedProblem();
  if (problem) throw new Error(`swarm bed: ${problem}`);
  await sweepStale();
  const id = `${Date.now().toString(36).slice(-4)}${Math.random().toString(36).slice(2, 4)}`;
  const root = `${ROOT_PREFIX}${id}`;
  const count = 1 + (opts.workers ?? 1);
  const sw = `warp-sw-${id}-sw`;
  const m: Manifest = { owner: process.pid, root, netns: [sw], pids: [] };
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const save = () => fs.writeFileSync(manifestPath(root), JSON.stringify(m));
  save();
  const children: ChildProcess[] = [];
  const nodes: BedNode[] = [];
  try {
    sh(['ip', 'netns', 'add', sw]);
    sh(['ip', '-n', sw, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', sw, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) {
      const ns = `warp-sw-${id}-n${i}`;
      m.netns.push(ns);
      save();
      const address = `${SUBNET}.${10 + i}`;
      sh(['ip', 'netns', 'add', ns]);
      sh(['ip', 'link', 'add', `p${i}`, 'netns', sw, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh(['ip', '-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', ns, 'link', 'add', 'wbr0', 'type', 'bridge']);
      sh(['ip', '-n', ns, 'addr', 'add', `172.31.${i}.1/24`, 'dev', 'wbr0']);
      sh(['ip', '-n', ns, 'link', 'set', 'wbr0', 'up']);
      const dir = path.join(root, `n${i}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'daemon.json'), '{}\n');
      const hostname = `warp-${id}-node${i}`;
      const socket = path.join(dir, 'docker.sock');
      const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
      // nsenter --net only (not `ip netns exec`, which remounts /sys and hides the cgroup mounts dockerd needs);
      // unshare --uts gives the daemon a hostname of its own. The script is fixed; values travel as arguments.
      const child = spawn(
        'nsenter',
        [
          `--net=/var/run/netns/${ns}`,
          'unshare',
          '--uts',
          'sh',
          '-c',
          'hostname "$0" && exec "$@"',
          hostname,
          DOCKERD,
          '--config-file',
          path.join(dir, 'daemon.json'),
          '--data-root',
          path.join(dir, 'data'),
          '--exec-root',
          path.join(dir, 'exec'),
          '--pidfile',
          path.join(dir, 'docker.pid'),
          '--host',
          `unix://${socket}`,
          '--bridge',
          'wbr0',
          '--iptables=false',
          '--ip-masq=false',
          '--userland-proxy-path',
          `${PREFIX}/usr/sbin/docker-proxy`,
        ],
        {
          cwd: '/',
          detached: true,
          stdio: ['ignore', log, log],
          env: { PATH: PATH_ENV, HOME: '/root', DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' },
        },
      );
      fs.closeSync(log);
      child.unref();
      children.push(child);
      m.pids.push(child.pid!);
      save();
      const docker = new Docker({ socketPath: socket, version: 'v1.45' });
      await waitFor(
        `dockerd of node ${i}`,
        async () => ((await docker.version()).Version ? true : null),
        30_000,
      );
      nodes.push({
        index: i,
        hostname,
        address,
        dockerHost: `unix://${socket}`,
        docker,
        netns: ns,
        nodeId: '',
        alive: true,
      });
    }
    const [manager, ...workers] = nodes as [BedNode, ...BedNode[]];
    manager.nodeId = (await manager.docker.swarmInit({
      ListenAddr: `${manager.address}:2377`,
      AdvertiseAddr: manager.address,
      DefaultAddrPool: ['10.214.0.0/16'],
      SubnetSize: 24,
      Spec: {
        // Nodes are declared down after a few missed heartbeats: short here, so node loss shows quickly.
        Dispatcher: { HeartbeatPeriod: (opts.heartbeatSeconds ?? 1) * 1e9 },
        Orchestration: { TaskHistoryRetentionLimit: 5 },
      },
    })) as string;
    const swarm = (await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } };
    for (const w of workers) {
      await w.docker.swarmJoin({
        ListenAddr: `${w.address}:2377`,
        AdvertiseAddr: w.address,
        RemoteAddrs: [`${manager.address}:2377`],
        JoinToken: swarm.JoinTokens.Worker,
      });
      w.nodeId = ((await w.docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    }
    await waitFor(
      'every node ready',
      async () => {
        const list = (await manager.docker.listNodes()) as { Status: { State: string } }[];
        return list.length === count && list.every((n) => n.Status.State === 'ready') ? true : null;
      },
      30_000,
    );

    const bed: SwarmBed = {
      id,
      root,
      manager,
      workers,
      nodes,
      async loadImages(images) {
        const main = await requireDocker();
        for (const node of nodes.filter((n) => n.alive)) {
          for (const image of images) {
            const have = await node.docker
              .getImage(image)
              .inspect()
              .then(() => true)
              .catch(() => false);
            if (have) continue;
            const tar = await main.getImage(image).get();
            const out = await node.docker.loadImage(tar, { quiet: true });
            await new Promise<void>((resolve, reject) =>
              node.docker.modem.followProgress(out, (err: Error | null) => (err ? reject(err) : resolve())),
            );
          }
        }
      },
      async run(node, o) {
        const c = await node.docker.createContainer({
          Image: o.image,
          Cmd: o.cmd,
          ...(o.entrypoint ? { Entrypoint: o.entrypoint } : {}),
          Labels: { 'warp.test': `bed-${id}` },
          HostConfig: { Init: true, ...(o.network ? { NetworkMode: o.network } : {}) },
        });
        try {
          await c.start();
          const { StatusCode } = (await c.wait()) as { StatusCode: number };
          const logs = (await c.logs({ stdout: true, stderr: true })) as Buffer;
          return { code: StatusCode, output: demux(logs) };
        } finally {
          await c.remove({ force: true }).catch(() => {});
        }
      },
      async killNode(node) {
        const pid = m.pids[node.index - 1]!;
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        node.alive = false;
        // Its containers outlive the daemon (their shims stay): without its cable they answer nobody.
        sh(['ip', '-n', sw, 'link', 'set', `p${node.index}`, 'down']);
      },
      async close() {
        await teardown(m);
      },
    };
    return bed;
  } catch (err) {
    const logs = nodes.map(
      (n) => `--- ${n.hostname}\n${tailOf(path.join(root, `n${n.index}`, 'dockerd.log'))}`,
    );
    await teardown(m);
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
}

function tailOf(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/** The text of a multiplexed (non-TTY) log body. */
function demux(body: Buffer): string {
  let out = '';
  let at = 0;
  while (at + 8 <= body.length) {
    const size = body.readUInt32BE(at + 4);
    out += body.subarray(at + 8, at + 8 + size).toString('utf8');
    at += 8 + size;
  }
  return out;
}
