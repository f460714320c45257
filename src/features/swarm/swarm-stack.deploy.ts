import path from 'node:path';
import type { ProjectRow } from '../../db/schema.js';
import { isObj } from '../../domain/compose/index.js';
import { type StackPlan, toStackModel } from '../../domain/stack-model.js';
import { dotenvValues } from '../../integrations/compose/compose-resolve.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import { waitConverged } from '../../integrations/swarm/swarm-converge.js';
import { requireManager } from '../../integrations/swarm/swarm-mode.js';
import { ensureOverlay } from '../../integrations/swarm/swarm-objects.js';
import { type ServiceInfo, servicesByLabel } from '../../integrations/swarm/swarm-services.js';
import { createMasker } from '../../lib/log-masking.js';
import { inspectComposeProject } from '../deploy/index.js';
import type { JobContext } from '../jobs/index.js';
import type { Release, ReleaseImage } from '../releases/index.js';
import { type SwarmDeps, seconds, setState, warnIfTunnelOffSwarm } from './swarm-deps.js';
import { describePlacement } from './swarm-quick.deploy.js';
import {
  headCommit,
  projectImages,
  publishOnSwarm,
  type SwarmStackContent,
  swarmImageRecord,
} from './swarm-release.js';
import { removeStackFile, writeStackFile } from './swarm-stack-file.js';
import { removeStack } from './swarm-teardown.js';

/** Docker's label naming a service's stack. */
export const LABEL_STACK = 'com.docker.stack.namespace';

/** Every image the stack's services run: the nodes pull each one (built ones after the push). */
const stackImages = (model: Record<string, unknown>): string[] =>
  Object.values(isObj(model.services) ? model.services : {}).flatMap((s) =>
    isObj(s) && typeof s.image === 'string' ? [s.image] : [],
  );

/** A release's stack file with each service's image as that release ran it (by digest when known). */
function pinnedModel(content: SwarmStackContent, images: ReleaseImage[]): Record<string, unknown> {
  const services = { ...(isObj(content.model.services) ? content.model.services : {}) };
  for (const img of images) {
    const def = services[img.service];
    if (isObj(def)) services[img.service] = { ...def, image: img.ref };
  }
  return { ...content.model, services };
}

/** Resolve the project with Compose (policy included) and turn it into the stack Swarm runs. */
async function planStack(
  deps: SwarmDeps,
  ctx: JobContext,
  row: ProjectRow,
  dir: string,
  mask: (text: string) => string,
): Promise<StackPlan & { proxy: { service: string; containerPort: number }; composeWarnings: string[] }> {
  const settings = await deps.settings.get();
  const compose = await deps.compose();
  const spec = deps.openSpec(row);
  const { resolved, proxy } = await ctx.step(
    `Resolving ${path.relative(settings.reposRoot, dir)} with ${compose.command.join(' ')}`,
    () =>
      inspectComposeProject({
        compose,
        run: ctx.run,
        dir,
        project: row.compose_project!,
        mask,
        allowed: spec.policy?.allow ?? [],
        service: spec.service,
      }),
  );
  const plan = toStackModel(resolved.model, {
    stack: row.compose_project!,
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
  return { ...plan, proxy, composeWarnings: resolved.warnings };
}

/** What each service of the stack runs now, from the specs the manager holds. */
async function runningImages(
  deps: SwarmDeps,
  stack: string,
  services: ServiceInfo[],
): Promise<ReleaseImage[]> {
  const out: ReleaseImage[] = [];
  for (const s of services) {
    const ref = (s.Spec.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined)?.ContainerSpec
      ?.Image;
    if (ref) out.push(await swarmImageRecord(deps, s.Spec.Name.slice(stack.length + 1), ref));
  }
  return out.sort((a, b) => a.service.localeCompare(b.service));
}

/**
 * A compose project on Swarm: Compose resolves the model (the compose policy applies as on the host)
 * → the stack file Swarm accepts (refusing what it cannot run, e.g. `build:` without a registry) →
 * every image passes the allowed-registries rule → images with `build:` built and pushed → `docker
 * stack deploy --with-registry-auth` (the saved registry logins in a per-run Docker config) → every
 * service of the stack converged → publish `http://<stack>_<proxy>:<port>` on the shared overlay →
 * the release (strategy `rolling`) goes live. `pin` re-runs a release's stack file exactly, with the
 * images its services ran (a rollback): nothing is resolved, built or pushed.
 */
export async function deployStackOnSwarm(
  deps: SwarmDeps,
  ctx: JobContext,
  row: ProjectRow,
  pin: Release | null = null,
): Promise<unknown> {
  const settings = await deps.settings.get();
  const stackName = row.compose_project!;
  await setState(deps, row.id, { status: 'deploying' });
  const first =
    (await servicesByLabel(deps.docker, [`${LABEL_STACK}=${stackName}`]).catch(() => [])).length === 0;
  let release: Release | null = pin;
  try {
    await ctx.step('Checking the Swarm manager', () => requireManager(deps.docker));
    const dir = (await resolveProjectDir(settings.reposRoot, row.path ?? '')).dir;
    const dotenv = await dotenvValues(dir);
    for (const value of dotenv) ctx.addSecret(value);
    const masker = createMasker(dotenv);
    const cli = await deps.stack();
    let content: SwarmStackContent;
    let model: Record<string, unknown>;
    let builds: StackPlan['builds'] = [];
    if (pin) {
      content = pin.content as unknown as SwarmStackContent;
      model = pinnedModel(content, pin.images);
      ctx.log.info(`re-running the stack file of release #${pin.seq}: nothing is resolved, built or pushed`);
    } else {
      const plan = await planStack(deps, ctx, row, dir, (t) => masker.mask(t));
      for (const warning of [...plan.composeWarnings, ...plan.warnings]) ctx.log.warn(masker.mask(warning));
      content = {
        kind: 'stack',
        model: plan.model,
        proxyService: plan.proxy.service,
        containerPort: plan.proxy.containerPort,
        proxyHost: plan.proxyHost,
      };
      model = plan.model;
      builds = plan.builds;
    }
    ctx.log.info(
      `proxy service ${content.proxyService} (${content.proxyHost}), container port ${content.containerPort}`,
    );
    // Every node pulls every image (built ones too, once pushed): each must come from an allowed registry.
    for (const image of stackImages(model)) await deps.registries.assertAllowed(image);
    release ??= await deps.releases.begin({
      projectId: row.id,
      strategy: 'rolling',
      commit: await headCommit(ctx, row, dir),
      content: { ...content },
      hostPort: null,
      composeProject: stackName,
      jobId: ctx.job.id,
      actor: ctx.job.actor,
    });
    for (const b of builds) {
      await ctx.step(`Building ${b.service} and pushing ${b.image}`, () =>
        deps.registries.withDockerConfig(ctx.log, (env) =>
          cli.buildAndPush(ctx.run, { project: stackName, cwd: dir }, b.service, env),
        ),
      );
    }
    await ctx.step(`Overlay network ${settings.swarm.network}`, () =>
      ensureOverlay(deps.docker, settings.swarm.network, { 'warp.managed': 'true' }),
    );
    const file = await ctx.step('Writing the stack file', () => writeStackFile(deps.dataDir, row.id, model));
    await ctx.step(`Deploying stack ${stackName} (docker stack deploy)`, () =>
      deps.registries.withDockerConfig(ctx.log, (env) =>
        cli.deploy(ctx.run, { stack: stackName, file, cwd: dir }, env),
      ),
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
    const images = pin ? pin.images : await runningImages(deps, stackName, services);
    if (!pin) await deps.releases.noteImages(release, images);
    ctx.log.info(
      `release #${release.seq}: ${images.map((i) => `${i.service} ${i.image} (${i.digest.slice(0, 19)})`).join(', ')}`,
    );
    const service = `http://${content.proxyHost}:${content.containerPort}`;
    warnIfTunnelOffSwarm(settings, ctx.log, service);
    await publishOnSwarm(deps, ctx, row, service);
    await deps.releases.activate(release, { hostPort: null, composeProject: stackName });
    await setState(deps, row.id, {
      status: 'running',
      container_names: JSON.stringify(services.map((s) => s.Spec.Name).sort()),
      images: projectImages(images),
      spec: JSON.stringify({
        ...JSON.parse(row.spec),
        proxyService: content.proxyService,
        containerPort: content.containerPort,
      }),
    });
    await deps.releases.prune(row.id, ctx.log);
    ctx.log.info(`live at https://${row.hostname} (release #${release.seq})`);
    return {
      url: `https://${row.hostname}`,
      stack: stackName,
      services: services.map((s) => s.Spec.Name),
      release: { id: release.id, seq: release.seq, strategy: 'rolling' },
    };
  } catch (error) {
    if (first) {
      await removeStack(deps, ctx, stackName, false).catch((e: Error) =>
        ctx.log.warn(`could not remove the stack ${stackName}: ${e.message}`),
      );
      await removeStackFile(deps.dataDir, row.id).catch(() => {});
    } else {
      ctx.log.warn('the stack keeps what Swarm runs now (a failed rolling update rolls itself back)');
    }
    if (release && !pin) await deps.releases.discard(release, ctx.log).catch(() => {});
    await setState(deps, row.id, { status: first ? 'failed' : 'running' });
    throw error;
  }
}
