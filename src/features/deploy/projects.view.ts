import type { ProjectRow } from '../../db/schema.js';
import { parseJson } from '../../lib/json.js';

/** API.md's Project. */
export interface Project {
  id: string;
  name: string;
  kind: ProjectRow['kind'];
  subdomain: string;
  hostname: string | null;
  url: string | null;
  hostPort: number | null;
  status: ProjectRow['status'];
  repo: { owner: string; name: string; url: string | null } | null;
  image: string | null;
  path: string | null;
  containerNames: string[];
  composeProject: string | null;
  createdAt: string;
  updatedAt: string;
  lastJobId: string | null;
  /** `host` (this engine) or `swarm` (Swarm services / a stack). */
  target: 'host' | 'swarm';
  /** Replicas a Swarm project runs; null on the host. */
  replicas: number | null;
}

/** Map a row to the API shape. */
export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    subdomain: row.subdomain,
    hostname: row.hostname,
    url: row.hostname ? `https://${row.hostname}` : null,
    hostPort: row.host_port,
    status: row.status,
    repo:
      row.repo_owner && row.repo_name
        ? { owner: row.repo_owner, name: row.repo_name, url: row.repo_url }
        : null,
    image: row.image,
    path: row.path,
    containerNames: parseJson<string[]>(row.container_names, []),
    composeProject: row.compose_project,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastJobId: row.last_job_id,
    target: row.target,
    replicas: row.replicas,
  };
}

/** Kind-specific deploy input kept with the project (`projects.spec`), so redeploys repeat it. */
export interface ProjectSpec {
  containerPort?: number;
  /** Environment for quick services; values are secrets-at-rest encrypted by the caller when needed. */
  env?: Record<string, string>;
  /** Name the user asked for (quick services). */
  requestedName?: string | null;
  /** Compose proxy service and its container port, found at deploy time. */
  proxyService?: string;
  /** Template projects: what to generate from, until the repo exists. */
  template?: { owner: string; repo: string; private: boolean; includeAllBranches: boolean };
  generated?: boolean;
  /** Swarm: node-label placement constraints (`{zone: "a"}`) and resource limits of the service. */
  constraints?: Record<string, string>;
  resources?: { cpus?: number; memoryMb?: number };
  /** Swarm quick services: the service's name (also its DNS name on the overlay network). */
  swarmService?: string;
}
