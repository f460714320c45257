import type { ProjectRow } from '../../db/schema.js';
import type { PolicyException } from '../../domain/compose-policy.js';
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
  /** Why the status is what it is, in words (degraded, missing, a forward nobody answers on). */
  statusReason: string | null;
  repo: { owner: string; name: string; url: string | null } | null;
  image: string | null;
  path: string | null;
  containerNames: string[];
  composeProject: string | null;
  /** The image each service runs, as the last deploy resolved it. */
  images: ProjectImage[];
  createdAt: string;
  updatedAt: string;
  lastJobId: string | null;
  /** Policy exceptions an admin granted (README → Security model). */
  policyExceptions: string[];
  settings: ProjectSettings;
  /** `host` (this engine) or `swarm` (Swarm services / a stack). */
  target: 'host' | 'swarm';
  /** Replicas a Swarm project runs; null on the host. */
  replicas: number | null;
}

/**
 * One service's image: the reference it was deployed from, the repository digest (`sha256:…`) the
 * registry resolved it to (null for an image built or imported here) and the local image id.
 */
export interface ProjectImage {
  service: string;
  image: string;
  digest: string | null;
  imageId: string | null;
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
    statusReason: row.status_reason ?? null,
    repo:
      row.repo_owner && row.repo_name
        ? { owner: row.repo_owner, name: row.repo_name, url: row.repo_url }
        : null,
    image: row.image,
    path: row.path,
    containerNames: parseJson<string[]>(row.container_names, []),
    composeProject: row.compose_project,
    images: parseJson<ProjectImage[]>(row.images, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastJobId: row.last_job_id,
    policyExceptions: parseJson<ProjectSpec>(row.spec, {}).policy?.allow ?? [],
    settings: settingsOf(parseJson<ProjectSpec & { env?: unknown }>(row.spec, {}), row),
    target: row.target,
    replicas: row.replicas,
  };
}

/** What `PATCH /api/v1/projects/:id` can change, as it stands (env values stay hidden: names only). */
export interface ProjectSettings {
  containerPort: number | null;
  envNames: string[];
  service: string | null;
  branch: string | null;
  autoDeploy: boolean;
  /** Where the next deploy runs the project (a pending move differs from `Project.target`). */
  target: 'host' | 'swarm';
  replicas: number | null;
}

function settingsOf(
  spec: ProjectSpec & { env?: unknown },
  row: Pick<ProjectRow, 'branch' | 'auto_deploy' | 'target' | 'replicas'>,
): ProjectSettings {
  const next = nextPlacement(spec, row);
  return {
    containerPort: spec.containerPort ?? null,
    // Sealed env is a string (encrypted); its names are kept beside it.
    envNames: spec.envNames ?? (spec.env && typeof spec.env === 'object' ? Object.keys(spec.env) : []),
    service: spec.service ?? spec.proxyService ?? null,
    branch: row.branch ?? spec.branch ?? null,
    autoDeploy: row.auto_deploy === 1 || (spec.autoDeploy ?? false),
    target: next.target,
    replicas: next.replicas,
  };
}

/** Where the next deploy runs the project: a move asked for by PATCH, else where it runs now. */
export function nextPlacement(
  spec: Pick<ProjectSpec, 'move'>,
  row: Pick<ProjectRow, 'target' | 'replicas'>,
): { target: 'host' | 'swarm'; replicas: number | null } {
  if (spec.move && spec.move.target !== row.target) {
    return { target: spec.move.target, replicas: spec.move.target === 'swarm' ? spec.move.replicas : null };
  }
  return { target: row.target, replicas: row.replicas };
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
  /** What an admin allowed this project beyond the policy (audited as `project.policy`). */
  policy?: { allow: PolicyException[] };
  /** The names of `env` (kept in clear beside the sealed values, so the API can list them). */
  envNames?: string[];
  /** Compose: the service to publish, chosen by the user (else the `warp.proxy` label or the only one with ports). */
  service?: string;
  /** Repo-backed projects: the branch to deploy, and whether a push to it deploys (push-to-deploy reads these). */
  branch?: string | null;
  autoDeploy?: boolean;
  /** Swarm: node-label placement constraints (`{zone: "a"}`) and resource limits of the service. */
  constraints?: Record<string, string>;
  resources?: { cpus?: number; memoryMb?: number };
  /** Swarm quick services: the service's name (also its DNS name on the overlay network). */
  swarmService?: string;
  /**
   * A move to another target asked for by PATCH, done by the next deploy (the columns `target` and
   * `replicas` keep saying where the project runs until then).
   */
  move?: { target: 'host' | 'swarm'; replicas: number | null };
}
