import type { ProjectRow } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import type { ContainersService } from '../containers/index.js';
import type { JobContext } from '../jobs/index.js';
import type { DeployDeps, SwarmFlows } from './deploy-deps.js';
import { setProjectState } from './project-state.js';
import type { ProjectSpec } from './projects.view.js';
import { removeHostPlacement } from './teardown.deploy.js';

/** The move a project's PATCH asked for. */
export type PendingMove = NonNullable<ProjectSpec['move']>;

/** How the move runs the project on its new target and takes down the old placement. */
export interface MoveSteps {
  /** Deploy `row` (already showing the new target) there; it publishes the route once the new one runs. */
  deployNew(row: ProjectRow, serving: string | null): Promise<unknown>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The raw spec (env stays sealed) with `edit` applied. */
function respec(row: ProjectRow, edit: (spec: ProjectSpec) => void): string {
  const spec = JSON.parse(row.spec) as ProjectSpec;
  edit(spec);
  return JSON.stringify(spec);
}

/** The route's origin today: the host port, or the Swarm service on the overlay network. */
function servingNow(row: ProjectRow, containerPort: number): string | null {
  if (row.target === 'host') return row.host_port !== null ? `http://localhost:${row.host_port}` : null;
  const service = (JSON.parse(row.spec) as ProjectSpec).swarmService;
  return row.kind === 'quick' && service ? `http://${service}:${containerPort}` : null;
}

/**
 * The stack name of a compose project moving to the Swarm: its compose project name, unless the
 * compose project on this host holds networks of that name (`<name>_default`, which the stack would
 * create as overlays: the engine refuses a second network of a name) — then `<name>-swarm`.
 */
async function freeStackName(deps: DeployDeps, row: ProjectRow): Promise<string> {
  const base = row.compose_project!;
  for (let n = 1; n < 20; n++) {
    const name = n === 1 ? base : n === 2 ? `${base}-swarm` : `${base}-swarm-${n - 1}`;
    const networks = await deps.docker.call('list networks', (d) =>
      d.listNetworks({ filters: { label: [`${LABEL_COMPOSE_PROJECT}=${name}`] } }),
    );
    const holder = n === 1 ? null : await deps.projectsRepo.findByComposeProject(name);
    if (networks.length === 0 && (!holder || holder.id === row.id)) return name;
  }
  throw new AppError('CONFLICT', `no free stack name for ${base}`);
}

/**
 * Move a project to the target its PATCH asked for: deploy it on the new target first (that flow
 * switches the route only once the new placement runs and answers); only then take the old placement
 * down — host → Swarm: its containers or compose project and its port reservation; Swarm → host: its
 * service or stack — never the route, which already points at the new one. A failed new placement
 * cleans up after itself (its flow removes what it made): the old one keeps serving, unchanged.
 */
export async function moveProject(
  deps: DeployDeps & { containers: ContainersService },
  ctx: JobContext,
  row: ProjectRow,
  move: PendingMove,
  steps: MoveSteps & { swarm: () => SwarmFlows },
): Promise<unknown> {
  const from = row.target;
  const spec = deps.projects.openSpec(row);
  ctx.log.info(
    `moving ${row.name} from ${from === 'host' ? 'this host' : 'the Swarm'} to ${move.target === 'host' ? 'this host' : `the Swarm (${move.replicas ?? 1} replica(s))`}: the new placement first, the old one keeps serving until the route switched`,
  );
  const moved: ProjectRow = {
    ...row,
    target: move.target,
    replicas: move.target === 'swarm' ? (move.replicas ?? 1) : null,
    host_port: move.target === 'host' ? null : row.host_port,
    // A quick service on Swarm is named after its service (its DNS name on the overlay).
    name: move.target === 'swarm' && row.kind === 'quick' ? (spec.swarmService ?? row.name) : row.name,
    compose_project:
      move.target === 'swarm' && row.kind !== 'quick' ? await freeStackName(deps, row) : row.compose_project,
  };
  if (moved.compose_project !== row.compose_project) {
    ctx.log.info(
      `the compose project ${row.compose_project} on this host keeps its networks until the stack serves: the stack is named ${moved.compose_project}`,
    );
  }
  let result: unknown;
  try {
    result = await steps.deployNew(moved, servingNow(row, spec.containerPort ?? 80));
  } catch (error) {
    // The new flow removed what it made; the old placement never stopped serving.
    await setProjectState(deps, row.id, { status: row.status, host_port: row.host_port });
    ctx.log.error(
      `the move failed (${message(error)}); ${row.name} keeps running ${from === 'host' ? 'on this host' : 'on the Swarm'} as before`,
    );
    throw new AppError(
      error instanceof AppError ? error.code : 'UPSTREAM_ERROR',
      `the move to ${move.target === 'host' ? 'this host' : 'the Swarm'} failed: ${message(error)}; the project keeps running where it was`,
      { details: error instanceof AppError ? error.details : undefined, cause: error },
    );
  }
  // The route serves the new placement: the row says so before the old one goes (a crash in between
  // leaves only leftovers of the old placement, never a route to nothing).
  const now = await deps.projects.load(row.id);
  await deps.projectsRepo.update(row.id, {
    target: moved.target,
    replicas: moved.replicas,
    name: moved.name,
    compose_project: moved.compose_project,
    ...(move.target === 'swarm' ? { host_port: null } : {}),
    spec: respec(now, (s) => {
      delete s.move;
      if (move.target === 'host') delete s.swarmService;
    }),
    updated_at: deps.clock.now().toISOString(),
  });
  await ctx
    .step(`Taking down the old placement ${from === 'host' ? 'on this host' : 'on the Swarm'}`, async () => {
      if (from === 'host') await removeHostPlacement(deps, ctx, row, false);
      else await steps.swarm().removePlacement(ctx, row);
    })
    .catch((e: Error) =>
      ctx.log.warn(
        `the project runs and is served from its new placement, but the old one could not be removed completely: ${e.message}`,
      ),
    );
  ctx.log.info(`moved to ${move.target === 'host' ? 'this host' : 'the Swarm'}`);
  return result;
}
