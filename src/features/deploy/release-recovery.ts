import type Docker from 'dockerode';
import type { ProjectRow } from '../../db/schema.js';
import { LABEL_COMPOSE_PROJECT, LABEL_PROJECT } from '../../integrations/docker/docker-labels.js';
import type { RoutesRepository } from '../../repositories/routes.repository.js';
import type { ReleaseBook } from '../releases/index.js';
import { removeContainer } from './container-ops.js';
import type { DeployDeps } from './deploy-deps.js';
import { setProjectState } from './project-state.js';

const PREVIOUS = /-previous-[a-z0-9]+$/;
const nameOf = (c: Docker.ContainerInfo) => c.Names[0]?.replace(/^\//, '') ?? c.Id;

/** What recovering a cut-off release needs. */
export type RecoveryDeps = Pick<DeployDeps, 'docker' | 'ports' | 'projectsRepo' | 'clock' | 'plans'> & {
  routes: Pick<RoutesRepository, 'byProject'>;
  releases: Pick<ReleaseBook, 'pending' | 'live' | 'activate' | 'discard' | 'get'>;
};

/** The host ports a container publishes (stopped ones too: from its configuration). */
async function portsOf(deps: RecoveryDeps, c: Docker.ContainerInfo): Promise<number[]> {
  const info = await deps.docker.call('inspect container', (d) => d.getContainer(c.Id).inspect());
  return Object.values(info.HostConfig.PortBindings ?? {})
    .flat()
    .map((b) => Number((b as { HostPort?: string }).HostPort))
    .filter((p) => Number.isInteger(p) && p > 0);
}

/**
 * A redeploy (or rollback) cut off by a crash, blue/green: whatever the route points at is what
 * serves, so it stays — the release that publishes that port — and everything else the attempt left
 * goes: the other release's containers, its extra port reservation, its pending record. The project
 * row, the live mark and the model file follow the release that serves. Returns false for a
 * stop-then-start attempt (an old container stepped aside) or when no container publishes the
 * routed port: then the stop-then-start recovery applies.
 */
export async function recoverCutOffRelease(
  deps: RecoveryDeps,
  row: ProjectRow,
  log: { warn(o: object, m: string): void },
): Promise<boolean> {
  const route = (await deps.routes.byProject(row.id))[0];
  const routed = Number(/:(\d+)\/?$/.exec(route?.service ?? '')?.[1] ?? row.host_port);
  const list = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${row.id}`] } }),
  );
  // A stop-then-start quick service stepped its old container aside: putting that back is the answer.
  if (list.some((c) => PREVIOUS.test(nameOf(c)))) return false;
  const groupOf = (c: Docker.ContainerInfo) => c.Labels[LABEL_COMPOSE_PROJECT] ?? nameOf(c);
  let serving: string | null = null;
  for (const c of list) {
    if ((await portsOf(deps, c)).includes(routed)) serving = groupOf(c);
  }
  if (serving === null) return false;
  const kept = list.filter((c) => groupOf(c) === serving);
  for (const c of list.filter((x) => !kept.includes(x))) await removeContainer(deps.docker, c.Id);
  for (const port of await deps.ports.heldBy(row.id)) if (port !== routed) await deps.ports.release(port);
  const composeProject = kept[0]?.Labels[LABEL_COMPOSE_PROJECT] ?? null;
  // The release that serves becomes (or stays) the live one; pending ones that do not serve go.
  const quiet = { info: () => {}, warn: () => {} };
  for (const p of await deps.releases.pending(row.id)) {
    const serves = p.hostPort === routed && (composeProject === null || p.composeProject === composeProject);
    if (serves) await deps.releases.activate(p, { hostPort: routed, composeProject });
    else await deps.releases.discard(p, quiet);
  }
  if (composeProject) {
    const plan = await deps.plans.loadRelease(row.id, composeProject);
    if (plan && (await deps.plans.load(row.id))?.composeProject !== composeProject)
      await deps.plans.save(row.id, plan);
  }
  await setProjectState(deps, row.id, {
    status: kept.some((c) => c.State === 'running') ? 'running' : 'failed',
    host_port: routed,
    container_names: JSON.stringify(kept.map(nameOf).sort()),
  });
  log.warn(
    { projectId: row.id, serving, port: routed, removed: list.length - kept.length },
    'a release was interrupted by a restart; the one the route points at keeps serving',
  );
  return true;
}
