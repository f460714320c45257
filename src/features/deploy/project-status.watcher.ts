import type { Logger } from 'pino';
import type { ProjectRow } from '../../db/schema.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { type EngineEvent, watchContainerEvents } from '../../integrations/docker/docker-events.js';
import { LABEL_COMPOSE_PROJECT, LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import type { Clock } from '../../lib/clock.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import { nothingAnswers, somethingListens } from './forward.handler.js';
import { observeProject } from './project-status.js';

/** Container events that can change what a project runs. */
const ACTIONS = ['start', 'die', 'stop', 'kill', 'destroy', 'pause', 'unpause', 'restart', 'oom'];
/** Statuses the engine decides; others (pending, deploying, failed, removed) belong to jobs. */
const OBSERVED = new Set<ProjectRow['status']>(['running', 'degraded', 'stopped', 'missing']);
/** Events close together (compose stop of five services) become one refresh. */
const SETTLE_MS = 150;

/**
 * Keeps `Project.status` true to the engine: follows container events (no polling), reconciles every
 * project at start and after the event stream reconnects (events missed while it was down).
 */
export function createProjectStatusWatcher(deps: {
  docker: DockerClient;
  projectsRepo: ProjectsRepository;
  clock: Clock;
  log: Logger;
  /** Whether something listens on a host port (forwards); tests may replace it. */
  listens?: (port: number) => Promise<boolean>;
  /** How to follow engine events (default `watchContainerEvents`); a test wraps it to cut the stream. */
  watch?: typeof watchContainerEvents;
}) {
  const listens = deps.listens ?? somethingListens;
  const watch = deps.watch ?? watchContainerEvents;
  let unsubscribe: (() => void) | null = null;
  let running = false;
  let retry: NodeJS.Timeout | null = null;
  let backoffMs = 500;
  const timers = new Map<string, NodeJS.Timeout>();
  const chains = new Map<string, Promise<void>>();

  /** Recompute one project's status from the engine (only when the engine decides it). */
  async function refresh(id: string): Promise<void> {
    const row = await deps.projectsRepo.findById(id);
    if (!row || !OBSERVED.has(row.status)) return;
    // A Swarm project's tasks run on several machines: this engine's containers do not tell its status.
    if (row.target === 'swarm') return;
    let next: { status: ProjectRow['status']; reason: string | null; names?: string[] };
    if (row.kind === 'forward') {
      const up = row.host_port !== null && (await listens(row.host_port));
      next = up
        ? { status: 'running', reason: null }
        : { status: 'degraded', reason: nothingAnswers(row.host_port ?? 0) };
    } else {
      next = await observeProject(deps.docker, row);
    }
    if (next.status === row.status && next.reason === row.status_reason) return;
    const changed = await deps.projectsRepo.updateIfStatus(row.id, row.status, {
      status: next.status,
      status_reason: next.reason,
      ...(next.names && next.names.length > 0 ? { container_names: JSON.stringify(next.names) } : {}),
      updated_at: deps.clock.now().toISOString(),
    });
    if (changed)
      deps.log.info({ projectId: row.id, from: row.status, to: next.status }, 'project status changed');
  }

  /** Run refreshes of one project one after another (events and reconciles may overlap). */
  function enqueue(id: string): Promise<void> {
    const next = (chains.get(id) ?? Promise.resolve())
      .then(() => refresh(id))
      .catch((err: Error) =>
        deps.log.warn({ projectId: id, err: err.message }, 'project status refresh failed'),
      );
    chains.set(id, next);
    void next.then(() => {
      if (chains.get(id) === next) chains.delete(id);
    });
    return next;
  }

  function schedule(id: string): void {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        void enqueue(id);
      }, SETTLE_MS),
    );
  }

  async function onEvent(e: EngineEvent): Promise<void> {
    const attrs = e.Actor?.Attributes ?? {};
    if (attrs[LABEL_PROJECT]) schedule(attrs[LABEL_PROJECT]);
    const compose = attrs[LABEL_COMPOSE_PROJECT];
    if (compose?.startsWith('warp-')) {
      const row = await deps.projectsRepo.findByComposeProject(compose).catch(() => undefined);
      if (row && row.id !== attrs[LABEL_PROJECT]) schedule(row.id);
    }
  }

  /** Every live project, once. */
  async function reconcile(): Promise<void> {
    const rows = await deps.projectsRepo.listActive();
    await Promise.all(rows.filter((r) => OBSERVED.has(r.status)).map((r) => enqueue(r.id)));
  }

  async function connect(): Promise<void> {
    if (!running) return;
    try {
      // Subscribe first, then reconcile: nothing that happens in between is missed.
      unsubscribe = await watch(deps.docker, {
        actions: ACTIONS,
        onEvent: (e) => void onEvent(e),
        onEnd: (err) => {
          unsubscribe = null;
          deps.log.warn({ err: err?.message }, 'engine event stream ended; reconnecting');
          reconnectLater();
        },
      });
      backoffMs = 500;
      await reconcile();
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'cannot follow engine events; retrying');
      reconnectLater();
    }
  }

  function reconnectLater(): void {
    if (!running || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, backoffMs);
    retry.unref();
    backoffMs = Math.min(backoffMs * 2, 30_000);
  }

  return {
    /** Follow the engine and reconcile now; resolves after the first reconcile (or the first failed try). */
    async start(): Promise<void> {
      if (running) return;
      running = true;
      await connect();
    },
    /** Recompute one project now (after a job acted on it). */
    refresh: enqueue,
    reconcile,
    async stop(): Promise<void> {
      running = false;
      if (retry) clearTimeout(retry);
      retry = null;
      unsubscribe?.();
      unsubscribe = null;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.all([...chains.values()]);
    },
  };
}

/** The watcher of project statuses. */
export type ProjectStatusWatcher = ReturnType<typeof createProjectStatusWatcher>;
