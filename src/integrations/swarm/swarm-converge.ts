import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../domain/errors.js';
import type { DockerClient } from '../docker/docker-client.js';
import { findService, type ServiceInfo, type TaskInfo, tasksOf } from './swarm-services.js';

/** Where a service stands on its way to running what its spec says. */
export type Convergence =
  | { done: true; running: TaskInfo[] }
  | { done: false; failed: string | null; waiting: string };

/** JSON with sorted keys: a task's spec and its service's template compare equal when they are. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The part of a task spec that decides whether a task runs the current service spec. Placement is
 * left out (swarmkit keeps a task whose node still fits new constraints), and so is `Runtime`, which
 * the API shows on services but not on tasks.
 */
const RELEVANT = ['ContainerSpec', 'Resources', 'RestartPolicy', 'Networks', 'ForceUpdate', 'LogDriver'];
const specKey = (spec: unknown): string => {
  const o = (spec ?? {}) as Record<string, unknown>;
  return stable(Object.fromEntries(RELEVANT.map((k) => [k, o[k]])));
};

/** A task's failure as people read it: the engine's error, else its status message and exit code. */
export const taskError = (t: TaskInfo): string =>
  t.Status.Err ||
  `${t.Status.Message ?? t.Status.State}${t.Status.ContainerStatus?.ExitCode ? ` (exit code ${t.Status.ContainerStatus.ExitCode})` : ''}`;

const FAILED_TASK = new Set(['failed', 'rejected', 'orphaned']);

/**
 * Has the service converged? Its update (if any) completed — not paused, not rolled back — and as
 * many tasks as it wants run the current spec (a task made from an older spec does not count, so
 * a check right after an update cannot pass on the old tasks). `failed` explains a dead end:
 * an update rolled back or paused, or tasks of the current spec keep failing.
 */
export function convergence(service: ServiceInfo, tasks: TaskInfo[], wanted: number): Convergence {
  // An update call resets UpdateStatus (swarmkit), so a state seen here belongs to the current spec.
  const us = service.UpdateStatus;
  const state = us?.State;
  if (state === 'rollback_completed' || state === 'paused' || state === 'rollback_paused') {
    return {
      done: false,
      failed: `update ${state.replace('_', ' ')}: ${us?.Message ?? ''}`.trim(),
      waiting: '',
    };
  }
  const template = specKey(service.Spec.TaskTemplate);
  const current = tasks.filter((t) => specKey(t.Spec) === template);
  const running = current.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running');
  const failures = current.filter((t) => FAILED_TASK.has(t.Status.State));
  if (failures.length >= 3 && running.length < wanted) {
    const last = failures.sort((a, b) => b.UpdatedAt.localeCompare(a.UpdatedAt))[0]!;
    return { done: false, failed: `tasks keep failing: ${taskError(last)}`, waiting: '' };
  }
  if (state === 'updating' || state === 'rollback_started') {
    return { done: false, failed: null, waiting: `update ${state.replace('_', ' ')}` };
  }
  const stale = tasks.filter(
    (t) => t.DesiredState === 'running' && specKey(t.Spec) !== template && t.Status.State === 'running',
  );
  if (running.length >= wanted && stale.length === 0) return { done: true, running };
  const pending = current.find((t) => t.DesiredState === 'running' && t.Status.State !== 'running');
  const why = pending
    ? `; a task is ${pending.Status.State}${pending.Status.Err ? ` (${pending.Status.Err})` : ''}`
    : '';
  return { done: false, failed: null, waiting: `${running.length} of ${wanted} task(s) running${why}` };
}

/** Options of `waitConverged`. */
export interface ConvergeOptions {
  /** Replicas expected to run (the spec's, or fewer when nodes cannot hold them all). */
  wanted?: number;
  timeoutMs?: number;
  intervalMs?: number;
  /** After converging, the same tasks must keep running this long. */
  stableMs?: number;
  signal?: AbortSignal;
  log?: { info(text: string): void };
}

const wantedOf = (s: ServiceInfo) => s.Spec.Mode?.Replicated?.Replicas ?? 1;

/**
 * Waits until the service runs its current spec with the wanted replicas, then watches the running
 * tasks for `stableMs` (a crash-looping task is replaced, so its id changes). Rejects with the reason
 * when the update rolled back, paused, keeps failing, or time runs out.
 */
export async function waitConverged(
  docker: DockerClient,
  serviceId: string,
  o: ConvergeOptions = {},
): Promise<TaskInfo[]> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  const interval = o.intervalMs ?? 500;
  let lastNote = '';
  const read = async () => {
    const service = await findService(docker, serviceId);
    if (!service) throw new AppError('UPSTREAM_ERROR', `Swarm: service ${serviceId} is gone`);
    return convergence(service, await tasksOf(docker, [service.ID]), o.wanted ?? wantedOf(service));
  };
  for (;;) {
    o.signal?.throwIfAborted();
    const c = await read();
    if (c.done) {
      if (!o.stableMs) return c.running;
      const ids = new Set(c.running.map((t) => t.ID));
      await sleep(o.stableMs, undefined, { signal: o.signal });
      const again = await read();
      if (again.done && again.running.every((t) => ids.has(t.ID))) return again.running;
      o.log?.info('a task was replaced while the service settled; waiting again');
      continue;
    }
    if (c.failed) throw new AppError('UPSTREAM_ERROR', `Swarm: service ${serviceId}: ${c.failed}`);
    if (c.waiting !== lastNote) {
      o.log?.info(`waiting for ${serviceId}: ${c.waiting}`);
      lastNote = c.waiting;
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'UPSTREAM_ERROR',
        `Swarm: service ${serviceId} did not converge in time: ${c.waiting}`,
      );
    }
    await sleep(interval, undefined, { signal: o.signal });
  }
}
