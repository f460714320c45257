import fs from 'node:fs/promises';
import path from 'node:path';
import type { ProjectRow } from '../../db/schema.js';
import { findProxyService } from '../../domain/compose-file.js';
import { toStackModel } from '../../domain/stack-model.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import { waitConverged } from '../../integrations/swarm/swarm-converge.js';
import { requireManager } from '../../integrations/swarm/swarm-mode.js';
import { ensureOverlay } from '../../integrations/swarm/swarm-objects.js';
import { servicesByLabel } from '../../integrations/swarm/swarm-services.js';
import type { JobContext } from '../jobs/index.js';
import { type SwarmDeps, seconds, setState, warnIfTunnelOffSwarm } from './swarm-deps.js';
import { describePlacement } from './swarm-quick.deploy.js';
import { removeStack } from './swarm-teardown.js';

/** Docker's label naming a service's stack. */
export const LABEL_STACK = 'com.docker.stack.namespace';

/** Writes the stack file the deploy runs under `.warp/` in the project (never following a symlink). */
async function writeStackFile(dir: string, model: unknown): Promise<string> {
  const warp = path.join(dir, '.warp');
  await fs.mkdir(warp, { recursive: true });
  const file = path.join(warp, 'stack.json');
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(model, null, 2)}\n`, { flag: 'w', mode: 0o640 });
  await fs.rename(tmp, file);
  return file;
}

/**
 * A compose project on Swarm: compose resolves the model → the stack file Swarm accepts (refusing
 * what it cannot run, e.g. `build:` without a registry) → images with `build:` built and pushed →
 * `docker stack deploy --with-registry-auth` → every service of the stack converged → publish
 * `http://<stack>_<proxy>:<port>` on the shared overlay network.
 */
export async function deployStackOnSwarm(
  deps: SwarmDeps,
  ctx: JobContext,
  row: ProjectRow,
): Promise<unknown> {
  const settings = await deps.settings.get();
  const stackName = row.compose_project!;
  await setState(deps, row.id, { status: 'deploying' });
  const first =
    (await servicesByLabel(deps.docker, [`${LABEL_STACK}=${stackName}`]).catch(() => [])).length === 0;
  try {
    await ctx.step('Checking the Swarm manager', () => requireManager(deps.docker));
    const resolved = await resolveProjectDir(settings.reposRoot, row.path ?? '');
    const cli = await deps.stack();
    const target = { project: stackName, cwd: resolved.dir, file: resolved.composeFile };
    const model = await ctx.step('Resolving the compose model', () => cli.resolve(ctx.run, target));
    const proxy = findProxyService(model);
    const plan = toStackModel(model, {
      stack: stackName,
      projectId: row.id,
      proxyService: proxy.service,
      network: settings.swarm.network,
      endpointMode: settings.swarm.endpointMode,
      replicas: row.replicas ?? 1,
      update: {
        delay: seconds(settings.swarm.updateDelaySeconds),
        monitor: seconds(settings.swarm.updateMonitorSeconds),
      },
    });
    ctx.log.info(`proxy service ${proxy.service} (${plan.proxyHost}), container port ${proxy.containerPort}`);
    for (const warning of plan.warnings) ctx.log.warn(warning);
    for (const b of plan.builds) {
      await ctx.step(`Building ${b.service} and pushing ${b.image}`, () =>
        cli.buildAndPush(ctx.run, target, b.service),
      );
    }
    await ctx.step(`Overlay network ${settings.swarm.network}`, () =>
      ensureOverlay(deps.docker, settings.swarm.network, { 'warp.managed': 'true' }),
    );
    const file = await writeStackFile(resolved.dir, plan.model);
    await ctx.step(`Deploying stack ${stackName} (docker stack deploy)`, () =>
      cli.deploy(ctx.run, { stack: stackName, file, cwd: resolved.dir }),
    );
    const services = await servicesByLabel(deps.docker, [`${LABEL_STACK}=${stackName}`]);
    for (const s of services) {
      const tasks = await ctx.step(`Waiting until ${s.Spec.Name} converged`, () =>
        waitConverged(deps.docker, s.ID, {
          timeoutMs: deps.gate?.timeoutMs ?? 180_000,
          stableMs: deps.gate?.stableMs ?? 3_000,
          signal: ctx.signal,
          log: ctx.log,
        }),
      );
      ctx.log.info(`running: ${await describePlacement(deps, s.Spec.Name, tasks)}`);
    }
    const service = `http://${plan.proxyHost}:${proxy.containerPort}`;
    warnIfTunnelOffSwarm(settings, ctx.log, service);
    await ctx.step(`Publishing ${row.hostname}`, () =>
      deps.publisher.publish(ctx, { projectId: row.id, hostname: row.hostname!, service }),
    );
    await setState(deps, row.id, {
      status: 'running',
      container_names: JSON.stringify(services.map((s) => s.Spec.Name).sort()),
      spec: JSON.stringify({
        ...JSON.parse(row.spec),
        proxyService: proxy.service,
        containerPort: proxy.containerPort,
      }),
    });
    ctx.log.info(`live at https://${row.hostname}`);
    return { url: `https://${row.hostname}`, stack: stackName, services: services.map((s) => s.Spec.Name) };
  } catch (error) {
    if (first) {
      await removeStack(deps, ctx, stackName, false).catch((e: Error) =>
        ctx.log.warn(`could not remove the stack ${stackName}: ${e.message}`),
      );
    } else {
      ctx.log.warn('the stack keeps what Swarm runs now (a failed rolling update rolls itself back)');
    }
    await setState(deps, row.id, { status: first ? 'failed' : 'running' });
    throw error;
  }
}
