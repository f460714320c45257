import type { ProjectRow } from '../../db/schema.js';
import { conflict } from '../../domain/errors.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import { taskError } from '../../integrations/swarm/swarm-converge.js';
import {
  followServiceLogs,
  readServiceLogs,
  type ServiceFollow,
  type ServiceLogLine,
} from '../../integrations/swarm/swarm-logs.js';
import { requireManager } from '../../integrations/swarm/swarm-mode.js';
import { listNodes } from '../../integrations/swarm/swarm-nodes.js';
import { type ServiceInfo, servicesByLabel, tasksOf } from '../../integrations/swarm/swarm-services.js';

/** API.md's task of a Swarm project. */
export interface TaskView {
  id: string;
  service: string;
  slot: number | null;
  /** Hostname of the node the task is on (its id when the node is gone). */
  node: string | null;
  nodeId: string | null;
  state: string;
  desiredState: string;
  error: string | null;
  message: string | null;
  containerId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A log line of a Swarm project, with the node's hostname. */
export interface ServiceLogView extends ServiceLogLine {
  node: string | null;
}

/** Where the live stream of service logs goes. */
export interface ServiceLogSink {
  /** False when the client is behind: every engine stream pauses until `onceDrained`. */
  write(line: ServiceLogView): boolean;
  onceDrained(cb: () => void): void;
}

const FAILED = new Set(['failed', 'rejected', 'orphaned']);

/**
 * Status of Swarm projects: tasks per service with node and state, the logs of a project's services
 * across their tasks (gathered by the manager from every node), and the live stream over them.
 */
export function createSwarmStatus(deps: {
  docker: DockerClient;
  projects: { load(id: string): Promise<ProjectRow> };
}) {
  async function servicesOf(projectId: string): Promise<ServiceInfo[]> {
    const row = await deps.projects.load(projectId);
    if (row.target !== 'swarm') {
      throw conflict(
        `project ${row.name} runs on this host (target "host"): it has containers, not Swarm tasks`,
      );
    }
    await requireManager(deps.docker);
    return servicesByLabel(deps.docker, [`${LABEL_PROJECT}=${row.id}`]);
  }

  async function hostnames(): Promise<Map<string, string>> {
    return new Map((await listNodes(deps.docker, null)).map((n) => [n.id, n.hostname]));
  }

  return {
    /** Every task Swarm keeps for the project's services (running and recent history), newest first. */
    async tasks(projectId: string): Promise<TaskView[]> {
      const services = await servicesOf(projectId);
      const names = new Map(services.map((s) => [s.ID, s.Spec.Name]));
      const nodes = await hostnames();
      return (await tasksOf(deps.docker, [...names.keys()]))
        .map((t) => ({
          id: t.ID,
          service: names.get(t.ServiceID) ?? t.ServiceID,
          slot: t.Slot ?? null,
          node: t.NodeID ? (nodes.get(t.NodeID) ?? t.NodeID) : null,
          nodeId: t.NodeID ?? null,
          state: t.Status.State,
          desiredState: t.DesiredState,
          error: t.Status.Err || (FAILED.has(t.Status.State) ? taskError(t) : null),
          message: t.Status.Message ?? null,
          containerId: t.Status.ContainerStatus?.ContainerID ?? null,
          createdAt: t.CreatedAt,
          updatedAt: t.UpdatedAt,
        }))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    /** The last `tail` lines of each task of each service of the project, oldest first. */
    async logs(
      projectId: string,
      opts: { tail: number },
    ): Promise<{ lines: ServiceLogView[]; truncated: boolean }> {
      const services = await servicesOf(projectId);
      const nodes = await hostnames();
      let truncated = false;
      const lines: ServiceLogView[] = [];
      for (const s of services) {
        const read = await readServiceLogs(deps.docker, { id: s.ID, name: s.Spec.Name }, { tail: opts.tail });
        truncated ||= read.truncated;
        for (const l of read.lines)
          lines.push({ ...l, node: l.nodeId ? (nodes.get(l.nodeId) ?? l.nodeId) : null });
      }
      lines.sort((a, b) => (a.ts ?? '').localeCompare(b.ts ?? ''));
      return { lines, truncated };
    },

    /** Follow the logs of every service of the project (tasks that start later included). */
    async openStream(
      projectId: string,
      sink: ServiceLogSink,
      opts: { tail: number },
    ): Promise<{ close(): void }> {
      const services = await servicesOf(projectId);
      const nodes = await hostnames();
      const follows: ServiceFollow[] = [];
      let paused = false;
      const pauseAll = () => {
        if (paused) return;
        paused = true;
        for (const f of follows) f.pause();
        sink.onceDrained(() => {
          paused = false;
          for (const f of follows) f.resume();
        });
      };
      try {
        for (const s of services) {
          follows.push(
            await followServiceLogs(
              deps.docker,
              { id: s.ID, name: s.Spec.Name },
              {
                tail: opts.tail,
                onLine: (l) => {
                  const node = l.nodeId ? (nodes.get(l.nodeId) ?? l.nodeId) : null;
                  if (!sink.write({ ...l, node })) pauseAll();
                },
              },
            ),
          );
        }
      } catch (err) {
        for (const f of follows) f.close();
        throw err;
      }
      return {
        close: () => {
          for (const f of follows) f.close();
        },
      };
    },
  };
}

/** The Swarm status service. */
export type SwarmStatus = ReturnType<typeof createSwarmStatus>;
