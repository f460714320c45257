import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ProjectRow } from '../../db/schema.js';
import { AppError, validationError } from '../../domain/errors.js';
import { isContainerId, isValidContainerName } from '../../domain/image-reference.js';
import { streamContainerList } from '../../integrations/docker/container-list.js';
import { cpuPercent, readContainerStats } from '../../integrations/docker/container-stats.js';
import {
  type ContainerView,
  type ImageView,
  toContainerView,
  toImageView,
  toVolumeView,
  type VolumeView,
} from '../../integrations/docker/container-view.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { hasStatus } from '../../integrations/docker/docker-errors.js';
import {
  containerName,
  LABEL_COMPOSE_PROJECT,
  LABEL_MANAGED,
  LABEL_PROJECT,
} from '../../integrations/docker/docker-labels.js';
import { type LiveLogSink, type LiveLogs, openLiveLogs } from '../../integrations/docker/live-logs.js';
import type { LogLine } from '../../integrations/docker/log-demux.js';
import { readLogTail } from '../../integrations/docker/log-tail.js';
import { parseJson } from '../../lib/json.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { AuditService } from '../audit/index.js';
import { type ContainerAccess, isManaged, seesAll } from './container-access.js';
import { type ListFilter, projectListFilters } from './project-list-filters.js';

/** Filters of `GET /api/v1/containers`. */
export interface ContainerQuery {
  state?: 'running' | 'stopped' | 'all';
  name?: string;
  q?: string;
  projectId?: string;
}

/** `GET /api/v1/containers/:id/stats`: a container's CPU (% of one core) and memory now. */
export interface ContainerUsage {
  id: string;
  running: boolean;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  at: string;
}

/** Filters of the live log stream (all optional, combined with AND). */
export interface StreamFilter {
  id?: string;
  name?: string;
  projectId?: string;
}

interface ProjectIndex {
  byName: Map<string, string>;
  byCompose: Map<string, string>;
}

/** The container a reference (id or name) must look like; anything else is a 400. */
function checkRef(ref: string): void {
  if (!isContainerId(ref) && !isValidContainerName(ref)) {
    throw validationError('invalid container reference', [
      { path: 'id', message: 'must be a container id (12-64 hex characters) or a container name' },
    ]);
  }
}

/**
 * Containers on the engine: list with project scoping (the `warp.project` label and the database
 * mapping — projects.container_names / compose_project — only), stop / restart / remove (audited),
 * log tail and the multi-container live stream.
 */
export function createContainersService(deps: {
  docker: DockerClient;
  access: ContainerAccess;
  projects: { findById(id: string): Promise<ProjectRow | undefined>; listActive(): Promise<ProjectRow[]> };
  audit: AuditService;
  log: Logger;
}) {
  const { docker } = deps;

  async function projectIndex(): Promise<ProjectIndex> {
    const index: ProjectIndex = { byName: new Map(), byCompose: new Map() };
    for (const p of await deps.projects.listActive()) {
      for (const n of parseJson<string[]>(p.container_names, [])) index.byName.set(n, p.id);
      if (p.compose_project) index.byCompose.set(p.compose_project, p.id);
    }
    return index;
  }

  const projectOf = (c: Docker.ContainerInfo, index: ProjectIndex): string | null => {
    const labels = c.Labels ?? {};
    return (
      labels[LABEL_PROJECT] ??
      index.byName.get(containerName(c.Names)) ??
      index.byCompose.get(labels[LABEL_COMPOSE_PROJECT] ?? '') ??
      null
    );
  };

  /** Inspect a container the caller may act on (403 for an operator on an unmanaged one). */
  async function inspect(ctx: RequestContext, ref: string): Promise<Docker.ContainerInspectInfo> {
    checkRef(ref);
    const info = await docker.call('inspect container', (d) => d.getContainer(ref).inspect(), {
      what: `container ${ref}`,
    });
    deps.access.assertMayAct(ctx, info);
    return info;
  }

  /** A container's view right after an action: the list's summary, with the state as inspect says. */
  async function viewOf(id: string): Promise<ContainerView> {
    const [list, index, fresh] = await Promise.all([
      docker.call('list containers', (d) => d.listContainers({ all: true, filters: { id: [id] } })),
      projectIndex(),
      // Engine 26's list can lag a stop that just returned; inspect cannot.
      docker.call('inspect container', (d) => d.getContainer(id).inspect()),
    ]);
    const c = list.find((x) => x.Id === id);
    if (!c) throw new AppError('NOT_FOUND', `container ${id} not found`);
    return toContainerView({ ...c, State: fresh.State.Status }, projectOf(c, index));
  }

  /** Run an action on a container and write its audit entry, ok or error. */
  async function audited<T>(
    ctx: RequestContext,
    action: string,
    ref: string,
    work: (info: Docker.ContainerInspectInfo) => Promise<{ result: T; details?: Record<string, unknown> }>,
  ): Promise<T> {
    const info = await inspect(ctx, ref);
    const name = info.Name.replace(/^\//, '');
    const index = await projectIndex();
    const projectId = projectOf(
      { Labels: info.Config?.Labels ?? {}, Names: [info.Name] } as Docker.ContainerInfo,
      index,
    );
    try {
      const { result, details } = await work(info);
      await deps.audit.record(ctx, action, { target: name, projectId, details: { id: info.Id, ...details } });
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await deps.audit.record(ctx, action, {
        target: name,
        projectId,
        result: 'error',
        details: { id: info.Id, error: message },
      });
      throw err;
    }
  }

  async function projectVolumes(project: ProjectRow | undefined, id: string, mounted: Set<string>) {
    const labelSets = [[`${LABEL_PROJECT}=${id}`]];
    if (project?.compose_project) labelSets.push([`${LABEL_COMPOSE_PROJECT}=${project.compose_project}`]);
    const found = new Map<string, VolumeView>();
    await docker.call('list volumes', async (d) => {
      for (const label of labelSets) {
        const res = await d.listVolumes({ filters: { label } });
        for (const v of res.Volumes ?? []) found.set(v.Name, toVolumeView(v));
      }
      for (const name of mounted) {
        if (found.has(name)) continue;
        const v = await d
          .getVolume(name)
          .inspect()
          .catch(() => null);
        if (v) found.set(v.Name, toVolumeView(v));
      }
    });
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async function projectImages(project: ProjectRow | undefined, id: string, used: Set<string>) {
    const images = await docker.call('list images', (d) => d.listImages({ all: false }));
    const picked: ImageView[] = [];
    for (const i of images) {
      const tags = i.RepoTags ?? [];
      const ours =
        i.Labels?.[LABEL_PROJECT] === id ||
        used.has(i.Id) ||
        (project?.image != null && tags.some((t) => t === project.image || t === `${project.image}:latest`));
      if (ours) picked.push(toImageView(i));
    }
    return picked;
  }

  return {
    /** `GET /api/v1/containers`: running and stopped, filtered; with `projectId` also volumes and images. */
    async list(
      ctx: RequestContext,
      query: ContainerQuery,
    ): Promise<{
      items: ContainerView[];
      volumes?: VolumeView[];
      images?: ImageView[];
    }> {
      const state = query.state ?? 'all';
      // Operators see the panel's containers only; the rest of the host is the admin's (the engine
      // filters by the same label, so it sends only those).
      const everything = seesAll(ctx);
      const q = query.q?.toLowerCase();
      const wanted = (c: Docker.ContainerInfo): boolean => {
        if (state === 'stopped' && c.State === 'running') return false;
        if (!everything && !isManaged(c.Labels)) return false;
        const name = containerName(c.Names);
        if (query.name !== undefined && name !== query.name) return false;
        return !q || name.toLowerCase().includes(q) || c.Image.toLowerCase().includes(q);
      };
      // Each summary becomes its view as it arrives from the engine (see streamContainerList); with a
      // project filter, the volumes and images its containers use are kept for the lookups below.
      const items: ContainerView[] = [];
      const mounted = new Set<string>();
      const imageIds = new Set<string>();
      const seen = new Set<string>();
      const take = (c: Docker.ContainerInfo, index: ProjectIndex) => {
        if (!wanted(c) || seen.has(c.Id)) return;
        const projectId = projectOf(c, index);
        if (query.projectId !== undefined && projectId !== query.projectId) return;
        seen.add(c.Id);
        items.push(toContainerView(c, projectId));
        if (query.projectId === undefined) return;
        for (const m of c.Mounts ?? []) if (m.Type === 'volume' && m.Name) mounted.add(m.Name);
        imageIds.add(c.ImageID);
      };
      // The project index comes from the database while the engine answers; summaries that arrive
      // before it wait (in order) and are taken the moment it is there.
      let index: ProjectIndex | null = null;
      const early: Docker.ContainerInfo[] = [];
      const indexed = projectIndex().then((i) => {
        index = i;
        for (const c of early.splice(0)) take(c, i);
      });
      // One list of the host (operators': the managed ones), or for a project only the lists that can
      // hold its containers (see projectListFilters): by its labels, then by the names those missed.
      const project =
        query.projectId === undefined ? undefined : await deps.projects.findById(query.projectId);
      // Names the project's lists returned (containers' names are unique on an engine).
      const names = new Set<string>();
      const stream = (filters: ListFilter | undefined) =>
        docker.call('list containers', (d) =>
          streamContainerList(d, { all: state !== 'running', ...(filters ? { filters } : {}) }, (c) => {
            if (project) names.add(containerName(c.Names));
            if (index) take(c, index);
            else early.push(c);
          }),
        );
      let lists = 1;
      if (query.projectId === undefined) {
        await Promise.all([stream(everything ? undefined : { label: [`${LABEL_MANAGED}=true`] }), indexed]);
      } else {
        const f = projectListFilters(query.projectId, project, !everything);
        await Promise.all([...f.byLabel.map(stream), indexed]);
        const missed = f.byName(f.names.filter((n) => !names.has(n)));
        if (missed) await stream(missed);
        lists = f.byLabel.length + (missed ? 1 : 0);
      }
      // Several lists arrive interleaved: back to the engine's order, newest first.
      if (lists > 1)
        items.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      if (query.projectId === undefined) return { items };
      const [volumes, images] = await Promise.all([
        projectVolumes(project, query.projectId, mounted),
        projectImages(project, query.projectId, imageIds),
      ]);
      return { items, volumes, images };
    },

    /** Inspect one container by id or name (400 malformed, 404 unknown, 403 unmanaged for operators). */
    inspect,

    /** Stop; the container and its configuration stay. Already stopped is success (engine 304). */
    stop(ctx: RequestContext, ref: string): Promise<ContainerView> {
      return audited(ctx, 'container.stop', ref, async (info) => {
        await deps.access.assertNotVital(info, 'stopped');
        await docker.call(
          'stop container',
          (d) =>
            d
              .getContainer(info.Id)
              .stop()
              .catch((err: unknown) => {
                if (!hasStatus(err, 304)) throw err;
              }),
          { what: `container ${ref}`, timeoutMs: 90_000 },
        );
        return { result: await viewOf(info.Id) };
      });
    },

    /** Restart (starts a stopped container too). */
    restart(ctx: RequestContext, ref: string): Promise<ContainerView> {
      return audited(ctx, 'container.restart', ref, async (info) => {
        await docker.call('restart container', (d) => d.getContainer(info.Id).restart(), {
          what: `container ${ref}`,
          timeoutMs: 90_000,
        });
        return { result: await viewOf(info.Id) };
      });
    },

    /**
     * Remove (forced: a running container is stopped first). `volumes: false` keeps every volume;
     * `volumes: true` removes the anonymous and named volumes it used that no other container —
     * stopped ones included — uses.
     */
    remove(ctx: RequestContext, ref: string, opts: { volumes: boolean }): Promise<void> {
      return audited(ctx, 'container.remove', ref, async (info) => {
        await deps.access.assertNotVital(info, 'removed');
        const candidates = opts.volumes
          ? (info.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name as string)
          : [];
        await docker.call(
          'remove container',
          (d) => d.getContainer(info.Id).remove({ force: true, v: false }),
          {
            what: `container ${ref}`,
          },
        );
        const removedVolumes: string[] = [];
        const keptVolumes: string[] = [];
        for (const name of candidates) {
          const users = await docker.call('list containers', (d) =>
            d.listContainers({ all: true, filters: { volume: [name] } }),
          );
          const volume = await docker.call('inspect volume', (d) =>
            d
              .getVolume(name)
              .inspect()
              .catch(() => null),
          );
          const panelData = volume
            ? await docker.call('inspect panel container', (d) => deps.access.isPanelVolume(volume, d))
            : false;
          if (users.length > 0 || panelData) {
            keptVolumes.push(name);
            continue;
          }
          await docker.call('remove volume', (d) =>
            d
              .getVolume(name)
              .remove()
              .catch((err: unknown) => {
                if (!hasStatus(err, 404)) throw err;
              }),
          );
          removedVolumes.push(name);
        }
        return { result: undefined, details: { volumes: opts.volumes, removedVolumes, keptVolumes } };
      });
    },

    /**
     * CPU and memory right now, from the engine's stats (read twice about a second apart, so CPU is a
     * rate). A container that is not running uses nothing: nulls, no engine call.
     */
    async stats(ctx: RequestContext, ref: string): Promise<ContainerUsage> {
      const info = await inspect(ctx, ref);
      const at = new Date().toISOString();
      if (!info.State.Running) {
        return {
          id: info.Id,
          running: false,
          cpuPercent: null,
          memoryBytes: null,
          memoryLimitBytes: null,
          at,
        };
      }
      const r = await readContainerStats(docker, info.Id, { withRate: true });
      const cpu = cpuPercent(r.pre, r);
      return {
        id: info.Id,
        running: true,
        cpuPercent: cpu === null ? null : Math.round(cpu * 100) / 100,
        memoryBytes: r.memUsed,
        memoryLimitBytes: r.memLimit || null,
        at,
      };
    },

    /** Last `tail` lines within a fixed memory budget; `truncated` when older lines were cut. */
    async logs(
      ctx: RequestContext,
      ref: string,
      opts: { tail: number; since?: number; timestamps: boolean },
    ): Promise<{ lines: LogLine[]; truncated: boolean }> {
      const info = await inspect(ctx, ref);
      const { lines, truncated } = await readLogTail(docker, info.Id, {
        tail: opts.tail,
        tty: Boolean(info.Config?.Tty),
        ...(opts.since !== undefined ? { since: opts.since } : {}),
      });
      return { lines: opts.timestamps ? lines : lines.map((l) => ({ ...l, ts: null })), truncated };
    },

    /** Open the multi-container live stream for `filter` (AND of id prefix, exact name, project). */
    async openStream(
      ctx: RequestContext,
      filter: StreamFilter,
      sink: LiveLogSink,
      opts: { tail?: number } = {},
    ): Promise<LiveLogs> {
      if (filter.id !== undefined) checkRef(filter.id);
      const everything = seesAll(ctx);
      let index = await projectIndex();
      let indexAt = Date.now();
      return openLiveLogs({
        docker,
        log: deps.log,
        sink,
        tail: opts.tail ?? 0,
        match: async (c) => {
          if (!everything && !isManaged(c.Labels)) return false;
          if (
            filter.id !== undefined &&
            !c.Id.startsWith(filter.id) &&
            containerName(c.Names) !== filter.id
          ) {
            return false;
          }
          if (filter.name !== undefined && containerName(c.Names) !== filter.name) return false;
          if (filter.projectId === undefined) return true;
          // Projects created after the stream opened must match too: refresh the mapping now and then.
          if (Date.now() - indexAt > 2_000) {
            index = await projectIndex();
            indexAt = Date.now();
          }
          return projectOf(c, index) === filter.projectId;
        },
      });
    },
  };
}

/** The containers service. */
export type ContainersService = ReturnType<typeof createContainersService>;
