import type { ProjectRow } from '../../db/schema.js';
import { LABEL_COMPOSE_PROJECT, LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import { parseJson } from '../../lib/json.js';

/** Which project a container belongs to, as the panel maps it. */
export interface ProjectRef {
  id: string;
  name: string;
  hostname: string | null;
  status: ProjectRow['status'];
}

interface Index {
  at: number;
  byId: Map<string, ProjectRef>;
  byName: Map<string, ProjectRef>;
  byCompose: Map<string, ProjectRef>;
}

/**
 * Container → project by the panel's mapping (the `warp.project` label, the project's container
 * names, its compose project), over the live projects, cached for `ttlMs` so an event burst or a
 * sampling tick reads the projects table once.
 */
export function createProjectIndex(deps: {
  projects: { listActive(): Promise<ProjectRow[]> };
  ttlMs?: number;
  now?: () => number;
}) {
  const ttlMs = deps.ttlMs ?? 10_000;
  const now = deps.now ?? Date.now;
  let cached: Index | null = null;
  let inflight: Promise<Index> | null = null;

  async function load(): Promise<Index> {
    const byId = new Map<string, ProjectRef>();
    const byName = new Map<string, ProjectRef>();
    const byCompose = new Map<string, ProjectRef>();
    for (const p of await deps.projects.listActive()) {
      const ref: ProjectRef = { id: p.id, name: p.name, hostname: p.hostname, status: p.status };
      byId.set(p.id, ref);
      for (const n of parseJson<string[]>(p.container_names, [])) byName.set(n, ref);
      if (p.compose_project) byCompose.set(p.compose_project, ref);
    }
    cached = { at: now(), byId, byName, byCompose };
    return cached;
  }

  async function index(): Promise<Index> {
    if (cached && now() - cached.at < ttlMs) return cached;
    inflight ??= load().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    /** The project of a container (labels and name as the engine reports them), or null when unmanaged. */
    async resolve(labels: Record<string, string> | undefined, name: string): Promise<ProjectRef | null> {
      const l = labels ?? {};
      const find = (i: Index) => {
        const byLabel = l[LABEL_PROJECT] ? i.byId.get(l[LABEL_PROJECT]) : undefined;
        const compose = l[LABEL_COMPOSE_PROJECT];
        return (
          byLabel ??
          i.byName.get(name.replace(/^\//, '')) ??
          (compose ? i.byCompose.get(compose) : undefined) ??
          null
        );
      };
      const i = await index();
      const found = find(i);
      // A container labelled for a project the cache does not know yet (just created): look again once.
      if (found || !(l[LABEL_PROJECT] || l[LABEL_COMPOSE_PROJECT]) || now() - i.at < 1000) return found;
      cached = null;
      return find(await index());
    },
    /** A live project by id. */
    async get(id: string): Promise<ProjectRef | null> {
      return (await index()).byId.get(id) ?? null;
    },
    /** Forget the cache (after projects changed). */
    invalidate(): void {
      cached = null;
    },
  };
}

/** The container → project lookup. */
export type ProjectIndex = ReturnType<typeof createProjectIndex>;
