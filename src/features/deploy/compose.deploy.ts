import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { ProjectRow } from '../../db/schema.js';
import { findProxyService, patchCompose } from '../../domain/compose-file.js';
import { preconditionFailed, validationError } from '../../domain/errors.js';
import type { ComposeTarget } from '../../integrations/compose/compose-cli.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import type { JobContext } from '../jobs/index.js';
import { containersByLabel, lastLogLines } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { runHealthGate } from './health-gate.js';
import { reserveProjectPort, setProjectState } from './project-state.js';
import { createUndoStack } from './undo-stack.js';

/** Folder (inside the project) where the panel writes the compose copy it runs. */
export const WARP_DIR = '.warp';

/** The compose target of a project: its folder under the repos root and the patched file. */
export async function composeTargetOf(
  deps: DeployDeps,
  row: ProjectRow,
): Promise<ComposeTarget & { source: string }> {
  const { reposRoot } = await deps.settings.get();
  const resolved = await resolveProjectDir(reposRoot, row.path ?? '');
  return {
    project: row.compose_project!,
    cwd: resolved.dir,
    file: path.join(resolved.dir, WARP_DIR, 'compose.yaml'),
    source: resolved.composeFile,
  };
}

/** Parse a compose file; YAML errors become a 400 naming the problem. */
export async function readComposeFile(file: string): Promise<unknown> {
  const doc = YAML.parseDocument(await fs.readFile(file, 'utf8'), { merge: true });
  if (doc.errors.length > 0) {
    throw validationError('the compose file is not valid YAML', [
      { path: 'compose', message: doc.errors[0]!.message },
    ]);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses alias bombs ("Excessive alias count …") with a ReferenceError: a bad file, not a 500.
    const message = error instanceof Error ? error.message : String(error);
    throw validationError('the compose file cannot be read', [{ path: 'compose', message }]);
  }
}

/**
 * Compose project: find the proxy service → reserve a port → write the patched copy under `.warp/`
 * → `up --build -d` as `warp-<slug>` → health gate → publish. The user's compose file stays untouched.
 */
export async function deployCompose(deps: DeployDeps, ctx: JobContext, row: ProjectRow): Promise<unknown> {
  if (row.target === 'swarm') {
    if (!deps.swarm) throw preconditionFailed('this panel has no Swarm support wired in');
    return deps.swarm.deployStack(ctx, row);
  }
  const settings = await deps.settings.get();
  const compose = await deps.compose();
  const undo = createUndoStack(ctx.log);
  const firstDeploy = row.status !== 'running' && row.status !== 'stopped';
  await setProjectState(deps, row.id, { status: 'deploying' });
  try {
    const target = await ctx.step('Reading the compose file', async () => {
      const t = await composeTargetOf(deps, row);
      ctx.log.info(
        `${path.relative(settings.reposRoot, t.source)} → compose project ${t.project} (${compose.command.join(' ')})`,
      );
      return t;
    });
    const parsed = await readComposeFile(target.source);
    const proxy = findProxyService(parsed);
    ctx.log.info(`proxy service ${proxy.service}, container port ${proxy.containerPort}`);

    const port = await reserveProjectPort(deps, ctx, row, undo);

    await ctx.step('Writing the patched compose file', async () => {
      const patched = patchCompose(parsed, {
        service: proxy.service,
        hostPort: port,
        containerPort: proxy.containerPort,
        bindAddress: settings.ports.bindAddress,
        projectId: row.id,
      });
      await fs.mkdir(path.dirname(target.file), { recursive: true });
      const header = '# Written by Warp Panel from your compose file; edit that one, not this copy.\n';
      await fs.writeFile(`${target.file}.tmp`, header + YAML.stringify(patched));
      await fs.rename(`${target.file}.tmp`, target.file);
    });

    if (firstDeploy)
      undo.push(`compose project ${target.project} taken down`, () => compose.down(ctx.run, target, false));
    await ctx.step(`Building and starting (${compose.command.join(' ')} up --build -d)`, () =>
      compose.up(ctx.run, target),
    );

    const containers = containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${target.project}`);
    await ctx.step(`Waiting for the app to answer on port ${port}`, () =>
      runHealthGate({ port, containers, log: ctx.log, signal: ctx.signal, ...deps.healthGate }),
    );
    const service = `http://localhost:${port}`;
    await ctx.step(`Publishing ${row.hostname}`, () =>
      deps.publisher.publish(ctx, { projectId: row.id, hostname: row.hostname!, service }),
    );
    undo.clear();
    const names = (await containers()).map((c) => c.name).sort();
    await setProjectState(deps, row.id, {
      status: 'running',
      host_port: port,
      container_names: JSON.stringify(names),
      spec: JSON.stringify({
        ...JSON.parse(row.spec),
        proxyService: proxy.service,
        containerPort: proxy.containerPort,
      }),
    });
    ctx.log.info(`live at https://${row.hostname}`);
    return { url: `https://${row.hostname}`, hostPort: port, containers: names };
  } catch (error) {
    const target = await composeTargetOf(deps, row).catch(() => null);
    const states = target
      ? await containersByLabel(deps.docker, `${LABEL_COMPOSE_PROJECT}=${target.project}`)().catch(() => [])
      : [];
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
