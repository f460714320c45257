import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { engineMode, requireManager } from '../../integrations/swarm/swarm-mode.js';
import {
  listNodes,
  type NodeView,
  setAvailability,
  workerJoin,
} from '../../integrations/swarm/swarm-nodes.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { AuditService } from '../audit/index.js';

/** `GET /api/v1/nodes`: the engine's mode and, on Swarm, its nodes. */
export interface NodesAnswer {
  mode: 'single' | 'swarm';
  /** `manager` or `worker` on Swarm (a worker lists no nodes: point the panel at a manager). */
  role: 'manager' | 'worker' | null;
  items: NodeView[];
}

/**
 * Hosts and nodes: what the engine is (single engine or Swarm manager), the Swarm's nodes, draining
 * and activating them, and the worker join command. The join token is a secret: it goes only to
 * admins, in the response body — never into a log line, an audit entry or an error message.
 */
export function createNodesService(deps: { docker: DockerClient; audit: AuditService }) {
  return {
    async list(): Promise<NodesAnswer> {
      const mode = await engineMode(deps.docker);
      if (mode.mode === 'single' || mode.role !== 'manager')
        return { mode: mode.mode, role: mode.role, items: [] };
      return { mode: 'swarm', role: 'manager', items: await listNodes(deps.docker, mode.nodeId) };
    },

    /** Drain (`drain`: Swarm moves its tasks to other nodes) or activate a node; audited. */
    async setAvailability(
      ctx: RequestContext,
      id: string,
      availability: 'drain' | 'active',
    ): Promise<NodeView> {
      const mode = await requireManager(deps.docker);
      const node = await setAvailability(deps.docker, id, availability, mode.nodeId);
      await deps.audit.record(ctx, availability === 'drain' ? 'node.drain' : 'node.activate', {
        target: node.hostname,
        details: { nodeId: node.id, role: node.role },
      });
      return node;
    },

    /** The worker join command (admins). Audited as read, without the token. */
    async joinCommand(ctx: RequestContext): Promise<{ command: string; token: string; managers: string[] }> {
      await requireManager(deps.docker);
      const { token, managers } = await workerJoin(deps.docker);
      await deps.audit.record(ctx, 'swarm.join_token.read', { target: 'worker', details: { managers } });
      const addr = managers[0] ?? '<manager-address>:2377';
      return { command: `docker swarm join --token ${token} ${addr}`, token, managers };
    },
  };
}

/** The nodes service. */
export type NodesService = ReturnType<typeof createNodesService>;
