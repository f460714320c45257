import path from 'node:path';
import type { ProjectRow } from '../../db/schema.js';
import { composeStrategy, profilesUsed, servicesOf } from '../../domain/compose/index.js';
import { preconditionFailed } from '../../domain/errors.js';
import type { Compose, ComposeTarget } from '../../integrations/compose/compose-cli.js';
import { dotenvValues } from '../../integrations/compose/compose-resolve.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import { createMasker } from '../../lib/log-masking.js';
import type { JobContext } from '../jobs/index.js';
import type { Release } from '../releases/index.js';
import { type ComposePlan, inspectComposeProject, planFromResolved } from './compose-plan.js';
import {
  asRelease,
  type ComposeContent,
  composeImages,
  headCommit,
  releaseProjectFor,
  rerunPlan,
} from './compose-release.js';
import { containersByLabel, lastLogLines, removeContainer } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { refreshable } from './image-prepare.js';
import { hasContainers, reserveFreshPort, reserveProjectPort, setProjectState } from './project-state.js';
import { withRegistryConfig } from './registry-config.js';
import { goLive } from './release-switch.js';
import { createUndoStack, type UndoStack } from './undo-stack.js';

/**
 * The compose target of a project: its folder under the repos root and the model file the panel
 * wrote (with the profiles its services need) under the compose project of the release that runs;
 * without a model file, Compose's own file lookup.
 */
export async function composeTargetOf(deps: DeployDeps, row: ProjectRow): Promise<ComposeTarget> {
  const { reposRoot } = await deps.settings.get();
  const resolved = await resolveProjectDir(reposRoot, row.path ?? '');
  const plan = await deps.plans.load(row.id).catch(() => null);
  return {
    project: plan?.composeProject ?? row.compose_project!,
    cwd: resolved.dir,
    file: plan ? deps.plans.modelFile(row.id) : null,
    profiles: plan ? profilesUsed(plan.model) : [],
  };
}

const targetOf = (dir: string, plan: ComposePlan, file: string) => ({
  project: plan.composeProject,
  cwd: dir,
  file,
  profiles: profilesUsed(plan.model),
});

/** Services that run a registry image as it is (no `build`), which a redeploy pulls again. */
async function registryServices(deps: DeployDeps, model: ComposePlan['model']): Promise<string[]> {
  const out: string[] = [];
  for (const [name, def] of Object.entries(servicesOf(model))) {
    const { image, build } = def as { image?: unknown; build?: unknown };
    if (typeof image === 'string' && build === undefined && (await refreshable(deps, image))) out.push(name);
  }
  return out;
}

/** Ids of the containers of one compose project. */
async function projectContainersOf(deps: DeployDeps, project: string): Promise<string[]> {
  const list = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [`${LABEL_COMPOSE_PROJECT}=${project}`] } }),
  );
  return list.map((c) => c.Id);
}

/** Stop-then-start failed after the old release was replaced: run the live release again, exactly. */
function putBackLive(
  deps: DeployDeps,
  ctx: JobContext,
  o: { row: ProjectRow; compose: Compose; live: Release; dir: string; project: string; bindAddress: string },
  undo: UndoStack,
) {
  undo.push(`release #${o.live.seq} running again`, async () => {
    const plan = await rerunPlan(deps, o.live, {
      base: o.row.compose_project!,
      project: o.project,
      hostPort: o.row.host_port!,
      bindAddress: o.bindAddress,
      major: o.compose.major,
    });
    await deps.plans.saveRelease(o.row.id, plan);
    const file = deps.plans.releaseFile(o.row.id, plan.composeProject);
    await o.compose.up(ctx.run, targetOf(o.dir, plan, file));
  });
}

/**
 * Compose project: let Compose resolve the project → apply the panel's changes → write the model
 * under the data dir → `up --build -d` exactly that model → health gate → switch the route → watch.
 * A redeploy is blue/green: the new release runs as its own compose project (`warp-<slug>_<seq>`,
 * volumes shared by name) on a fresh host port beside the old one, takes the route once it answers,
 * and the old one drains and is taken down. Projects that cannot run twice at once (see
 * `composeStrategy`) run stop-then-start. `pin` re-runs a release exactly (a rollback). The user's
 * files stay untouched; a failed attempt puts everything back and the old release keeps serving.
 */
export async function deployCompose(
  deps: DeployDeps,
  ctx: JobContext,
  row: ProjectRow,
  pin: Release | null = null,
): Promise<unknown> {
  // Swarm: a stack from the same resolved model (the swarm feature), after any repo sync.
  if (row.target === 'swarm') {
    if (!deps.swarm) throw preconditionFailed('this panel has no Swarm support wired in');
    return deps.swarm.deployStack(ctx, row, pin);
  }
  const settings = await deps.settings.get();
  const compose = await deps.compose();
  const undo = createUndoStack(ctx.log);
  const firstDeploy = !hasContainers(row.status);
  const previous = await deps.plans.snapshot(row.id);
  const livePlan = firstDeploy ? null : await deps.plans.load(row.id).catch(() => null);
  const live = await deps.releases.live(row.id);
  const base = row.compose_project!;
  const liveProject = livePlan?.composeProject ?? base;
  let project = liveProject;
  let blueGreen = false;
  let switched = false;
  await setProjectState(deps, row.id, { status: 'deploying' });
  try {
    const { reposRoot } = settings;
    const dir = (await resolveProjectDir(reposRoot, row.path ?? '')).dir;
    const dotenv = await dotenvValues(dir);
    for (const value of dotenv) ctx.addSecret(value);
    const masker = createMasker(dotenv); // the plan's warnings are stored and shown by the API
    const commit = row.repo_owner ? await headCommit(ctx, dir) : null;

    const stored = pin ? (pin.content as unknown as ComposeContent).plan : null;
    const inspected = stored
      ? null
      : await ctx.step(`Resolving ${path.relative(reposRoot, dir)} with ${compose.command.join(' ')}`, () =>
          inspectComposeProject({
            compose,
            run: ctx.run,
            dir,
            project: base,
            mask: masker.mask,
            allowed: deps.projects.openSpec(row).policy?.allow ?? [],
            service: deps.projects.openSpec(row).service,
          }),
        );
    const decision = stored
      ? composeStrategy(stored.model, stored)
      : composeStrategy(inspected!.resolved.model, inspected!.proxy);
    blueGreen = !firstDeploy && row.host_port !== null && decision.strategy === 'blue-green';
    if (!firstDeploy) {
      ctx.log.info(
        blueGreen
          ? 'strategy: blue/green — the new release runs beside the live one and takes the route once it answers'
          : `strategy: stop-then-start — ${decision.reasons.join('; ')}`,
      );
    }
    const port = blueGreen
      ? await reserveFreshPort(deps, ctx, row, undo)
      : await reserveProjectPort(deps, ctx, row, undo);
    const seq = pin ? pin.seq : await deps.releases.nextSeq(row.id);
    project = blueGreen ? releaseProjectFor(base, seq, liveProject) : liveProject;
    const at = {
      base,
      project,
      hostPort: port,
      bindAddress: settings.ports.bindAddress,
      major: compose.major,
    };
    const plan = pin
      ? await rerunPlan(deps, pin, at)
      : asRelease(
          planFromResolved({ compose, project: base }, inspected!.resolved, inspected!.proxy, {
            projectId: row.id,
            hostPort: port,
            bindAddress: settings.ports.bindAddress,
          }),
          base,
          project,
          compose.major,
        );
    ctx.log.info(
      `proxy service ${plan.service}, container port ${plan.containerPort} → host port ${port}, compose project ${project}`,
    );
    for (const w of plan.warnings) ctx.log.warn(w);
    const release =
      pin ??
      (await deps.releases.begin({
        projectId: row.id,
        seq,
        strategy: decision.strategy,
        commit,
        content: { kind: 'compose', plan } satisfies ComposeContent,
        hostPort: port,
        composeProject: project,
        jobId: ctx.job.id,
        actor: ctx.job.actor,
      }));
    if (!pin) undo.push(`release #${release.seq} dropped`, () => deps.releases.discard(release, ctx.log));

    let target: ComposeTarget;
    if (blueGreen) {
      // The live release is taken down from its own files later; the new one runs from its own.
      if (livePlan) await deps.plans.saveRelease(row.id, livePlan);
      await ctx.step('Writing the model the new release runs', () => deps.plans.saveRelease(row.id, plan));
      target = targetOf(dir, plan, deps.plans.releaseFile(row.id, project));
      undo.push(`files of ${project} removed`, () => deps.plans.removeRelease(row.id, project));
      undo.push(`compose project ${project} taken down`, () => compose.down(ctx.run, target, false));
    } else {
      await ctx.step('Writing the model the panel runs', () => deps.plans.save(row.id, plan));
      undo.push('previous model restored', () => deps.plans.restore(row.id, previous));
      target = targetOf(dir, plan, deps.plans.modelFile(row.id));
      // A first attempt that fails leaves nothing behind: its containers, networks and the volumes it made.
      if (firstDeploy)
        undo.push(`compose project ${project} taken down with its volumes`, () =>
          compose.down(ctx.run, target, true),
        );
      else if (live && live.id !== release.id)
        putBackLive(
          deps,
          ctx,
          { row, compose, live, dir, project, bindAddress: settings.ports.bindAddress },
          undo,
        );
      else if (!live)
        ctx.log.warn('no earlier release is recorded: if this one fails, nothing runs until a redeploy');
    }
    // A redeploy picks up a newer push under the same tag (Compose's `up` pulls only what is missing).
    const again = firstDeploy || pin ? [] : await registryServices(deps, plan.model);
    if (again.length > 0)
      await ctx.step(`Pulling ${again.join(', ')} again`, () =>
        withRegistryConfig(deps, ctx, row, target, (env) => compose.pull(ctx.run, target, again, env)),
      );
    await ctx.step(`Building and starting ${project} (${compose.command.join(' ')} up --build -d)`, () =>
      withRegistryConfig(deps, ctx, row, target, (env) => compose.up(ctx.run, target, env)),
    );
    if (!pin) await deps.releases.recordImages(release, await composeImages(deps, project, plan.model));
    ctx.log.info(
      `release #${release.seq}: ${release.images.map((i) => `${i.service} ${i.image} (${i.digest.slice(0, 19)})`).join(', ')}`,
    );

    const containers = containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${project}`);
    await goLive(deps, ctx, {
      row,
      port,
      containers,
      fallback: blueGreen
        ? { kind: 'route-back', service: `http://localhost:${row.host_port}` }
        : firstDeploy
          ? { kind: 'unpublish' }
          : { kind: 'none' },
      drains: blueGreen,
      onLive: async () => {
        switched = true;
        await deps.releases.activate(release, { hostPort: port, composeProject: project });
        if (blueGreen) await deps.plans.save(row.id, plan);
        const names = (await containers()).map((c) => c.name).sort();
        await setProjectState(deps, row.id, { host_port: port, container_names: JSON.stringify(names) });
      },
      onCanceledLive: () => undo.clear(),
      onFallOver: async () => {
        await deps.releases.restoreLive(row.id, live, release);
        if (blueGreen) await deps.plans.restore(row.id, previous);
        await setProjectState(deps, row.id, {
          host_port: row.host_port,
          container_names: row.container_names,
        });
      },
    });
    undo.clear();
    if (blueGreen) {
      await ctx
        .step(`Taking down the previous release ${liveProject}`, async () => {
          const file = livePlan ? deps.plans.releaseFile(row.id, liveProject) : null;
          const old = {
            project: liveProject,
            cwd: dir,
            file,
            profiles: livePlan ? profilesUsed(livePlan.model) : [],
          };
          // Its containers first, with their anonymous volumes (the engine never removes named ones,
          // which the new release mounts); `down` then takes its networks.
          for (const id of await projectContainersOf(deps, liveProject))
            await removeContainer(deps.docker, id, true);
          await compose.down(ctx.run, old, false);
          await deps.plans.removeRelease(row.id, liveProject);
          await deps.ports.release(row.host_port!);
        })
        .catch((e: Error) => ctx.log.warn(`could not take down the previous release: ${e.message}`));
    }
    const names = (await containers()).map((c) => c.name).sort();
    await setProjectState(deps, row.id, {
      status: 'running',
      host_port: port,
      container_names: JSON.stringify(names),
      spec: JSON.stringify({
        ...JSON.parse(row.spec),
        proxyService: plan.service,
        containerPort: plan.containerPort,
      }),
    });
    await deps.releases.prune(row.id, ctx.log);
    ctx.log.info(`live at https://${row.hostname} (release #${release.seq}, compose project ${project})`);
    return {
      url: `https://${row.hostname}`,
      hostPort: port,
      containers: names,
      release: { id: release.id, seq: release.seq, strategy: blueGreen ? 'blue-green' : 'stop-start' },
    };
  } catch (error) {
    const states = await containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${project}`)().catch(
      () => [],
    );
    for (const c of states.filter((s) => s.state !== 'running')) {
      const lines = await lastLogLines(deps.docker, c.name).catch(() => []);
      if (lines.length > 0) ctx.log.error(`last lines of ${c.name}:\n${lines.join('\n')}`);
    }
    await undo.run();
    if (blueGreen && !switched)
      ctx.log.warn(
        `the new release never received traffic; ${liveProject} keeps serving on port ${row.host_port}`,
      );
    // A failed redeploy of an app that still runs stays "running": the status tells what runs.
    const running = await containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${liveProject}`)().catch(
      () => [],
    );
    const stillRunning = !firstDeploy && running.some((s) => s.state === 'running');
    await setProjectState(deps, row.id, { status: stillRunning ? 'running' : 'failed' });
    throw error;
  }
}
