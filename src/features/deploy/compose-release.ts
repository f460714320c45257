import {
  applyPanelChanges,
  type ComposeModel,
  composeStrategy,
  isObj,
  pinnedModel,
  releaseModel,
  releaseProjectName,
  servicesOf,
} from '../../domain/compose/index.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import { imageIdentity } from '../../integrations/docker/release-images.js';
import { ANY_EXIT_CODE } from '../../lib/process/runner.js';
import type { JobContext } from '../jobs/index.js';
import type { Release } from '../releases/index.js';
import type { ComposePlan } from './compose-plan.js';
import type { DeployDeps } from './deploy-deps.js';

const LABEL_SERVICE = 'com.docker.compose.service';

/** What a compose release ran (kept encrypted with the release: the model may hold resolved secrets). */
export interface ComposeContent {
  kind: 'compose';
  plan: ComposePlan;
}

/**
 * The compose project a release runs as: `warp-<slug>` for the first, `warp-<slug>_<seq>` after it —
 * never the name of the release that serves now (a rollback to a release whose name it took).
 */
export function releaseProjectFor(base: string, seq: number, liveProject: string): string {
  const name = releaseProjectName(base, seq);
  if (name !== liveProject) return name;
  return name === base ? `${base}_${seq}` : base;
}

/** A plan made a release's: run as `project`, volumes shared by name with the other releases. */
export function asRelease(plan: ComposePlan, base: string, project: string, major: 1 | 2): ComposePlan {
  return {
    ...plan,
    composeProject: project,
    model: releaseModel(plan.model, { baseProject: base, releaseProject: project, composeMajor: major }),
  };
}

/**
 * The plan that re-runs a release exactly: its stored model with every service pinned to the image
 * it ran (its own name while that still means the same image, else the release tag), at a new host
 * port and compose project name. Nothing is built or pulled.
 */
export async function rerunPlan(
  deps: DeployDeps,
  release: Release,
  at: { base: string; project: string; hostPort: number; bindAddress: string; major: 1 | 2 },
): Promise<ComposePlan> {
  const stored = (release.content as unknown as ComposeContent).plan;
  const refs: Record<string, string> = {};
  for (const img of release.images) {
    const now = await imageIdentity(deps.docker, img.image).catch(() => null);
    refs[img.service] = now?.imageId === img.imageId && !img.built ? img.image : img.ref;
  }
  const changed = applyPanelChanges(pinnedModel(stored.model, refs, at.major), {
    service: stored.service,
    containerPort: stored.containerPort,
    hostPort: at.hostPort,
    bindAddress: at.bindAddress,
    projectId: release.projectId,
    projectName: at.base,
    composeMajor: at.major,
  });
  const decision = composeStrategy(stored.model, stored);
  return asRelease(
    {
      ...stored,
      hostPort: at.hostPort,
      model: changed.model,
      strategy: decision.strategy,
      strategyReasons: decision.reasons,
    },
    at.base,
    at.project,
    at.major,
  );
}

/** The image each service of a running compose project runs, for the release record. */
export async function composeImages(deps: DeployDeps, project: string, model: ComposeModel) {
  const list = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [`${LABEL_COMPOSE_PROJECT}=${project}`] } }),
  );
  const services = servicesOf(model);
  const seen = new Map<
    string,
    { service: string; image: string; imageId: string; digest: string; built: string | null }
  >();
  for (const c of list) {
    const service = c.Labels[LABEL_SERVICE];
    if (!service || seen.has(service)) continue;
    const identity = await imageIdentity(deps.docker, c.ImageID, c.Image);
    const def = services[service];
    const built = isObj(def) && def.build !== undefined ? c.Image : null;
    seen.set(service, { service, image: c.Image, built, ...identity });
  }
  return [...seen.values()].sort((a, b) => a.service.localeCompare(b.service));
}

/** The commit a repo project's clone has checked out (null when git cannot tell). */
export async function headCommit(ctx: JobContext, dir: string): Promise<string | null> {
  const res = await ctx.run(['git', '-C', dir, 'rev-parse', 'HEAD'], { quiet: true, okCodes: ANY_EXIT_CODE });
  const sha = res.stdout.trim();
  return res.code === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}
