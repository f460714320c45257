import path from 'node:path';
import type { ProjectRow } from '../../db/schema.js';
import { profilesUsed } from '../../domain/compose/index.js';
import type { ComposeTarget } from '../../integrations/compose/compose-cli.js';
import { dotenvValues } from '../../integrations/compose/compose-resolve.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import { createMasker } from '../../lib/log-masking.js';
import type { JobContext } from '../jobs/index.js';
import { planComposeProject } from './compose-plan.js';
import { containersByLabel, lastLogLines } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { runHealthGate } from './health-gate.js';

import { hasContainers, reserveProjectPort, setProjectState } from './project-state.js';
import { publishProject } from './publish-project.js';
import { withRegistryConfig } from './registry-config.js';

import { createUndoStack } from './undo-stack.js';

/**
 * The compose target of a project: its folder under the repos root and the model file the panel
 * wrote (with the profiles its services need); without a model file, Compose's own file lookup.
 */
export async function composeTargetOf(deps: DeployDeps, row: ProjectRow): Promise<ComposeTarget> {
  const { reposRoot } = await deps.settings.get();
  const resolved = await resolveProjectDir(reposRoot, row.path ?? '');
  const plan = await deps.plans.load(row.id).catch(() => null);
  return {
    project: row.compose_project!,
    cwd: resolved.dir,
    file: plan ? deps.plans.modelFile(row.id) : null,
    profiles: plan ? profilesUsed(plan.model) : [],
  };
}

/**
 * Compose project: reserve a port → let Compose resolve the project → apply the panel's changes to
 * that model → write it under the data dir → `up --build -d` exactly that model as `warp-<slug>` →
 * health gate → publish. The user's files stay untouched; a failed attempt puts the previous plan back.
 */
export async function deployCompose(deps: DeployDeps, ctx: JobContext, row: ProjectRow): Promise<unknown> {
  const settings = await deps.settings.get();
  const compose = await deps.compose();
  const undo = createUndoStack(ctx.log);
  const firstDeploy = !hasContainers(row.status);
  const previous = await deps.plans.snapshot(row.id);
  await setProjectState(deps, row.id, { status: 'deploying' });
  const project = row.compose_project!;
  try {
    const { reposRoot } = settings;
    const dir = (await resolveProjectDir(reposRoot, row.path ?? '')).dir;
    const dotenv = await dotenvValues(dir);
    for (const value of dotenv) ctx.addSecret(value);
    const masker = createMasker(dotenv); // the plan's warnings are stored and shown by the API
    const port = await reserveProjectPort(deps, ctx, row, undo);

    const plan = await ctx.step(
      `Resolving ${path.relative(reposRoot, dir)} with ${compose.command.join(' ')}`,
      () =>
        planComposeProject({
          compose,
          run: ctx.run,
          dir,
          project,
          projectId: row.id,
          hostPort: port,
          bindAddress: settings.ports.bindAddress,
          mask: masker.mask,
          allowed: deps.projects.openSpec(row).policy?.allow ?? [],
          service: deps.projects.openSpec(row).service,
        }),
    );
    ctx.log.info(`proxy service ${plan.service}, container port ${plan.containerPort} → host port ${port}`);
    for (const w of plan.warnings) ctx.log.warn(w);

    await ctx.step('Writing the model the panel runs', () => deps.plans.save(row.id, plan));
    undo.push('previous model restored', () => deps.plans.restore(row.id, previous));
    const target: ComposeTarget = {
      project,
      cwd: dir,
      file: deps.plans.modelFile(row.id),
      profiles: profilesUsed(plan.model),
    };
    // A first attempt that fails leaves nothing behind: its containers, networks and the volumes it made.
    if (firstDeploy)
      undo.push(`compose project ${project} taken down with its volumes`, () =>
        compose.down(ctx.run, target, true),
      );
    await ctx.step(`Building and starting (${compose.command.join(' ')} up --build -d)`, () =>
      withRegistryConfig(deps, ctx, row, target, (env) => compose.up(ctx.run, target, env)),
    );

    const containers = containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${project}`);
    await ctx.step(`Waiting for the app to answer on port ${port}`, () =>
      runHealthGate({ port, containers, log: ctx.log, signal: ctx.signal, ...deps.healthGate }),
    );
    const service = `http://localhost:${port}`;
    await publishProject(deps, ctx, row, service);
    undo.clear();
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
    ctx.log.info(`live at https://${row.hostname}`);
    return { url: `https://${row.hostname}`, hostPort: port, containers: names };
  } catch (error) {
    const states = await containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${project}`)().catch(
      () => [],
    );
    for (const c of states.filter((s) => s.state !== 'running')) {
      const lines = await lastLogLines(deps.docker, c.name).catch(() => []);
      if (lines.length > 0) ctx.log.error(`last lines of ${c.name}:\n${lines.join('\n')}`);
    }
    await undo.run();
    // A failed redeploy of an app that still runs stays "running": the status tells what runs.
    const stillRunning = !firstDeploy && states.some((s) => s.state === 'running');
    await setProjectState(deps, row.id, { status: stillRunning ? 'running' : 'failed' });
    throw error;
  }
}
