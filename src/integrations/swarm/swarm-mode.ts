import { preconditionFailed } from '../../domain/errors.js';
import type { DockerClient } from '../docker/docker-client.js';

/** What the engine the panel talks to is: a single engine, or a Swarm node (and which kind). */
export interface EngineMode {
  mode: 'single' | 'swarm';
  /** `manager` when this engine can run Swarm commands, `worker` when it cannot; null off Swarm. */
  role: 'manager' | 'worker' | null;
  nodeId: string | null;
  /** The node's own address in the Swarm (`NodeAddr`). */
  nodeAddr: string | null;
  nodes: number | null;
  managers: number | null;
  /** The engine's `Swarm.LocalNodeState`: inactive, pending, active, error, locked. */
  localState: string;
  error: string | null;
}

interface SwarmInfo {
  LocalNodeState?: string;
  ControlAvailable?: boolean;
  NodeID?: string;
  NodeAddr?: string;
  Nodes?: number;
  Managers?: number;
  Error?: string;
}

/** Reads `GET /info`: Swarm mode when the node is an active member, else a single engine. */
export async function engineMode(docker: DockerClient): Promise<EngineMode> {
  const info = await docker.call('engine info', (d) => d.info() as Promise<{ Swarm?: SwarmInfo }>);
  const s = info.Swarm ?? {};
  const active = s.LocalNodeState === 'active';
  return {
    mode: active ? 'swarm' : 'single',
    role: active ? (s.ControlAvailable ? 'manager' : 'worker') : null,
    nodeId: active ? (s.NodeID ?? null) : null,
    nodeAddr: active ? (s.NodeAddr ?? null) : null,
    nodes: active ? (s.Nodes ?? null) : null,
    managers: active ? (s.Managers ?? null) : null,
    localState: s.LocalNodeState ?? 'inactive',
    error: s.Error ? s.Error : null,
  };
}

/**
 * The engine's mode, insisting on a Swarm manager (422 otherwise): the panel talks only to a
 * manager's Engine API, never to workers.
 */
export async function requireManager(docker: DockerClient): Promise<EngineMode> {
  const mode = await engineMode(docker);
  if (mode.mode !== 'swarm') {
    throw preconditionFailed(
      'the Docker engine is not in Swarm mode: run `docker swarm init` on it (or point DOCKER_HOST at a Swarm manager) to deploy to a Swarm',
    );
  }
  if (mode.role !== 'manager') {
    throw preconditionFailed(
      'the Docker engine is a Swarm worker: point DOCKER_HOST at a Swarm manager (unix socket, ssh:// or tcp:// with TLS)',
    );
  }
  return mode;
}
