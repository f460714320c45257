import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { type EngineEvent, watchContainerEvents } from '../../integrations/docker/docker-events.js';
import type { ProjectIndex, ProjectRef } from '../metrics/index.js';
import type { NotificationInput } from './notification-events.js';

const ACTIONS = ['die', 'kill', 'stop', 'oom', 'health_status', 'destroy'];
// A die this soon after a kill or stop is the stop someone asked for (a user, a redeploy, a teardown).
const EXPECTED_WINDOW_MS = 60_000;
const LOG_TAIL = 10;

/** What the watch needs besides the engine: who a container belongs to, its last lines, publishing. */
export interface EngineWatchDeps {
  docker: DockerClient;
  projects: ProjectIndex;
  containerLogs: (id: string, tail: number) => Promise<string[]>;
  /** The project's status now and when its last job ended (the index may be seconds old). */
  projectActivity: (id: string) => Promise<{ status: string; lastJobFinishedAt: number | null } | null>;
  publish: (input: NotificationInput) => Promise<unknown>;
  log: Logger;
  /** Reconnect delays after the event stream broke (default 1 s doubling to 30 s). */
  reconnectMs?: { first: number; max: number };
}

/**
 * Watches the engine's event stream (not polling) for containers of managed projects that exit
 * unexpectedly (a die with a non-zero code that nobody asked for), are restarted by their restart
 * policy (one message per loop, then summaries: the publisher groups by container), or turn
 * unhealthy. A broken stream (engine restart) reconnects with backoff and replays from the last
 * event it saw, so nothing that happened meanwhile is missed.
 */
export function createEngineWatch(deps: EngineWatchDeps) {
  const first = deps.reconnectMs?.first ?? 1000;
  const max = deps.reconnectMs?.max ?? 30_000;
  // When a kill was seen (consumed by the die it causes), and when a kill or stop was last seen.
  const expected = new Map<string, number>();
  const stopRequested = new Map<string, number>();
  const oom = new Set<string>();
  const handled = new Set<string>();
  let close: (() => void) | null = null;
  let running = false;
  let retryMs = first;
  let retryTimer: NodeJS.Timeout | null = null;
  let since: number | null = null;
  let pending = new Set<Promise<void>>();

  function track(work: Promise<void>): void {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  async function inspect(id: string): Promise<Docker.ContainerInspectInfo | null> {
    return deps.docker
      .call('inspect container', (d) => d.getContainer(id).inspect(), { timeoutMs: 10_000 })
      .catch(() => null);
  }

  async function lastLines(id: string): Promise<string[]> {
    return deps.containerLogs(id, LOG_TAIL).catch(() => []);
  }

  const who = (name: string, p: ProjectRef) => `Container ${name} of ${p.name}`;

  async function onDie(e: EngineEvent, project: ProjectRef, name: string): Promise<void> {
    const id = e.Actor.ID;
    const seenAt = Date.now();
    const killedAt = expected.get(id);
    expected.delete(id);
    const oomKilled = oom.delete(id);
    if (killedAt !== undefined && Date.now() - killedAt < EXPECTED_WINDOW_MS) return;
    const exitCode = Number(e.Actor.Attributes.exitCode ?? 0);
    // A clean exit is how one-shot services (migrations, init) end; a deploy reports its own failures.
    if (exitCode === 0 && !oomKilled) return;
    // A crash during a deploy (its health gate) is that deploy's failure, reported as deploy.failed.
    const activity = await deps.projectActivity(project.id).catch(() => null);
    const dieMs = e.timeNano ? e.timeNano / 1e6 : e.time * 1000;
    if (activity?.status === 'deploying') return;
    if (activity?.lastJobFinishedAt && dieMs <= activity.lastJobFinishedAt) return;
    const info = await inspect(id);
    const restarting = Boolean(info?.State?.Restarting || info?.State?.Running);
    // Stopped by someone while this was looked at: whether it would have come back is unknowable,
    // and a stop is not a crash.
    if (!restarting && (stopRequested.get(id) ?? 0) >= seenAt) return;
    const logLines = await lastLines(id);
    const why = `exited with code ${exitCode}${oomKilled || info?.State?.OOMKilled ? ' (out of memory)' : ''}`;
    const details = {
      containerId: id,
      containerName: name,
      exitCode,
      oomKilled: oomKilled || Boolean(info?.State?.OOMKilled),
      restartCount: info?.RestartCount ?? null,
      image: e.Actor.Attributes.image ?? null,
    };
    if (restarting) {
      await deps.publish({
        event: 'container.restarting',
        title: `Restarting: ${name} (${project.name})`,
        message: `${who(name, project)} ${why} and its restart policy started it again (restart ${info?.RestartCount ?? '?'}). Repeats are summarised.`,
        projectId: project.id,
        details,
        logLines,
        groupKey: `container.restarting:${id}`,
      });
    } else {
      await deps.publish({
        event: 'container.exited',
        title: `Exited: ${name} (${project.name})`,
        message: `${who(name, project)} ${why} and is not running.`,
        projectId: project.id,
        details,
        logLines,
        groupKey: `container.exited:${id}`,
      });
    }
  }

  async function onUnhealthy(e: EngineEvent, project: ProjectRef, name: string): Promise<void> {
    const info = await inspect(e.Actor.ID);
    const probe = info?.State?.Health?.Log?.at(-1)?.Output?.trim();
    await deps.publish({
      event: 'container.unhealthy',
      title: `Unhealthy: ${name} (${project.name})`,
      message: `${who(name, project)} failed its health check${probe ? `: ${probe.slice(0, 300)}` : '.'}`,
      projectId: project.id,
      details: {
        containerId: e.Actor.ID,
        containerName: name,
        failingStreak: info?.State?.Health?.FailingStreak,
      },
      logLines: await lastLines(e.Actor.ID),
      groupKey: `container.unhealthy:${e.Actor.ID}`,
    });
  }

  async function handle(e: EngineEvent): Promise<void> {
    const id = e.Actor.ID;
    // After a reconnect the engine replays from the last second seen: skip what was handled.
    const stamp = `${e.timeNano ?? e.time}:${id}:${e.Action}`;
    if (handled.has(stamp)) return;
    handled.add(stamp);
    if (handled.size > 2000) handled.delete(handled.values().next().value as string);
    since = Math.max(since ?? 0, e.time);
    if (e.Action === 'kill' || e.Action === 'stop') {
      // Only a kill precedes the die it causes; a stop also ends a restart policy's wait (no die).
      if (e.Action === 'kill') expected.set(id, Date.now());
      stopRequested.set(id, Date.now());
      if (stopRequested.size > 5000) stopRequested.delete(stopRequested.keys().next().value as string);
      return;
    }
    if (e.Action === 'oom') {
      oom.add(id);
      return;
    }
    if (e.Action === 'destroy') {
      expected.delete(id);
      stopRequested.delete(id);
      oom.delete(id);
      return;
    }
    const name = e.Actor.Attributes.name ?? id.slice(0, 12);
    const project = await deps.projects.resolve(e.Actor.Attributes, name);
    if (!project) return;
    if (e.Action === 'die') await onDie(e, project, name);
    else if (e.Action === 'health_status: unhealthy') await onUnhealthy(e, project, name);
  }

  function reconnectLater(): void {
    if (!running || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(max, retryMs * 2);
  }

  async function connect(): Promise<void> {
    if (!running) return;
    try {
      const stop = await watchContainerEvents(deps.docker, {
        actions: ACTIONS,
        ...(since !== null ? { since } : {}),
        onEvent: (e) =>
          track(
            handle(e).catch((err) => deps.log.warn({ err, event: e.Action }, 'container event not handled')),
          ),
        onEnd: (err) => {
          close = null;
          deps.log.warn({ err: err?.message }, 'engine event stream ended; reconnecting');
          reconnectLater();
        },
      });
      if (!running) {
        stop();
        return;
      }
      close = stop;
      since ??= Math.floor(Date.now() / 1000);
      retryMs = first;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, retryMs }, 'engine event stream not open; retrying');
      reconnectLater();
    }
  }

  return {
    /** Open the event stream (returns once the first attempt finished; failures keep retrying). */
    async start(): Promise<void> {
      if (running) return;
      running = true;
      await connect();
    },
    /** Close the stream and wait for events being handled. */
    async stop(): Promise<void> {
      running = false;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      close?.();
      close = null;
      await Promise.allSettled([...pending]);
      pending = new Set();
    },
    /** Whether the stream is open now. */
    connected: () => close !== null,
  };
}

/** The engine event watch. */
export type EngineWatch = ReturnType<typeof createEngineWatch>;
