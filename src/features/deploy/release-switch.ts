import type { ProjectRow } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import type { JobContext } from '../jobs/index.js';
import type { DeployDeps } from './deploy-deps.js';
import { type ContainerHealth, waitForAnswer, watchStable } from './health-gate.js';
import { publishProject } from './publish-project.js';

/** What the route does if the new release falls over right after it went live. */
export type Fallback =
  /** Back to the release that still runs beside it (blue/green). */
  | { kind: 'route-back'; service: string }
  /** Nothing ran before (a first deploy): the route goes again. */
  | { kind: 'unpublish' }
  /** The same port as before (stop-then-start): the caller's undo brings the previous release back. */
  | { kind: 'none' };

/** One switch of a project's route to a new release. */
export interface GoLive {
  row: ProjectRow;
  /** The new release's host port and containers. */
  port: number;
  containers: () => Promise<ContainerHealth[]>;
  fallback: Fallback;
  /** The old release keeps running during the watch (blue/green): the watch lasts the drain too. */
  drains: boolean;
  /** Right after the route switched: record that the new release is live. */
  onLive(): Promise<void>;
  /** It fell over in the window: put the records back. */
  onFallOver(): Promise<void>;
  /** The job was canceled after the switch: what serves now must stay (the caller keeps it). */
  onCanceledLive(): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Health gate, switch, watch: wait until the new release answers, point the route at it at once
 * (remote mode: one API update; local mode: one rolling restart of the replicas), then keep watching
 * it for the stabilisation window — while the old release drains (`releases.drainSeconds`). If it
 * crashes or restarts in that window, the route goes back and the job fails: the user gets the app
 * as soon as it answers and the same safety as a gate that waited first.
 */
export async function goLive(deps: DeployDeps, ctx: JobContext, o: GoLive): Promise<void> {
  const gate = {
    port: o.port,
    containers: o.containers,
    log: ctx.log,
    signal: ctx.signal,
    ...deps.healthGate,
  };
  const { baseline } = await ctx.step(`Waiting for the app to answer on port ${o.port}`, () =>
    waitForAnswer(gate),
  );
  const service = `http://localhost:${o.port}`;
  const started = Date.now();
  await publishProject(deps, ctx, o.row, service, `Switching ${o.row.hostname} to ${service}`);
  ctx.log.info(`the new release serves ${o.row.hostname} (switch took ${Date.now() - started} ms)`);
  await o.onLive();
  const stableMs = deps.healthGate?.stableMs ?? 3000;
  const drainMs = o.drains ? (await deps.settings.get()).releases.drainSeconds * 1000 : 0;
  const windowMs = Math.max(stableMs, drainMs);
  try {
    await ctx.step(
      o.drains
        ? `Watching the new release for ${windowMs / 1000} s while the previous one drains`
        : `Watching the new release for ${windowMs / 1000} s`,
      () => watchStable(gate, baseline, windowMs),
    );
  } catch (error) {
    if (ctx.signal.aborted) {
      // The route already points at the new release: taking it away now would serve nothing.
      ctx.log.warn(
        'canceled after the switch: the new release stays live; the previous one is left as it is',
      );
      o.onCanceledLive();
      throw error;
    }
    ctx.log.error(`the new release fell over after it went live: ${message(error)}`);
    await o.onFallOver();
    const f = o.fallback;
    if (f.kind === 'route-back') {
      await ctx.step(`Taking ${o.row.hostname} back to the previous release (${f.service})`, () =>
        deps.publisher.publish(ctx, { projectId: o.row.id, hostname: o.row.hostname!, service: f.service }),
      );
    } else if (f.kind === 'unpublish') {
      await ctx.step(`Taking the route ${o.row.hostname} back`, () =>
        deps.publisher.unpublish(ctx, o.row.id),
      );
    }
    const after =
      f.kind === 'route-back'
        ? 'the previous release serves again'
        : f.kind === 'unpublish'
          ? 'the route is removed again'
          : 'the previous release is being put back';
    throw new AppError(
      'UPSTREAM_ERROR',
      `the new release fell over after it went live (${message(error)}); ${after}`,
    );
  }
}
