import { validationError } from '../../domain/errors.js';
import type { DockerClient } from '../docker/docker-client.js';

/** A Swarm node as the API shows it. */
export interface NodeView {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  engineVersion: string;
  labels: Record<string, string>;
  address: string | null;
  leader: boolean;
  /** Manager reachability (`reachable`, `unreachable`), null for workers. */
  reachability: string | null;
  resources: { nanoCpus: number; memoryBytes: number };
  /** The node the panel's engine is. */
  self: boolean;
}

interface RawNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role?: string; Availability?: string; Labels?: Record<string, string>; Name?: string };
  Description?: {
    Hostname?: string;
    Engine?: { EngineVersion?: string };
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
  };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

/** One node of `GET /nodes`, mapped. */
export function toNodeView(n: RawNode, selfId: string | null): NodeView {
  return {
    id: n.ID,
    hostname: n.Description?.Hostname ?? n.ID,
    role: n.Spec.Role === 'manager' ? 'manager' : 'worker',
    availability: (n.Spec.Availability ?? 'active') as NodeView['availability'],
    state: n.Status?.State ?? 'unknown',
    engineVersion: n.Description?.Engine?.EngineVersion ?? '',
    labels: n.Spec.Labels ?? {},
    address: n.Status?.Addr ?? null,
    leader: n.ManagerStatus?.Leader === true,
    reachability: n.ManagerStatus?.Reachability ?? null,
    resources: {
      nanoCpus: n.Description?.Resources?.NanoCPUs ?? 0,
      memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
    },
    self: n.ID === selfId,
  };
}

/** Every node of the Swarm, managers first, then by hostname. */
export async function listNodes(docker: DockerClient, selfId: string | null): Promise<NodeView[]> {
  const raw = (await docker.call('list nodes', (d) => d.listNodes())) as RawNode[];
  return raw
    .map((n) => toNodeView(n, selfId))
    .sort((a, b) => a.role.localeCompare(b.role) || a.hostname.localeCompare(b.hostname));
}

/** Sets a node's availability (`drain` moves its tasks away, `active` takes tasks again). */
export async function setAvailability(
  docker: DockerClient,
  id: string,
  availability: 'active' | 'drain',
  selfId: string | null,
): Promise<NodeView> {
  const what = `node ${id}`;
  const node = (await docker.call('inspect node', (d) => d.getNode(id).inspect(), { what })) as RawNode;
  if (node.Spec.Availability !== availability) {
    await docker.call(
      'update node',
      (d) =>
        d.getNode(id).update({
          _query: { version: node.Version.Index },
          _body: { ...node.Spec, Availability: availability },
        }),
      { what },
    );
  }
  const after = (await docker.call('inspect node', (d) => d.getNode(id).inspect(), { what })) as RawNode;
  return toNodeView(after, selfId);
}

/** How a machine joins this Swarm as a worker: the token (a secret) and the managers' addresses. */
export async function workerJoin(docker: DockerClient): Promise<{ token: string; managers: string[] }> {
  const swarm = (await docker.call('inspect swarm', (d) => d.swarmInspect())) as {
    JoinTokens?: { Worker?: string };
  };
  const token = swarm.JoinTokens?.Worker;
  if (!token) throw validationError('this engine did not return a join token (is it a Swarm manager?)');
  const nodes = (await docker.call('list nodes', (d) => d.listNodes())) as RawNode[];
  const managers = nodes
    .filter((n) => n.ManagerStatus?.Addr && n.ManagerStatus.Reachability !== 'unreachable')
    .map((n) => n.ManagerStatus!.Addr!);
  return { token, managers };
}
