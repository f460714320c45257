import { requireManager } from '../../integrations/swarm/swarm-mode.js';
import { servicesByLabel } from '../../integrations/swarm/swarm-services.js';
import type { SwarmFlows, SwarmRequestChecks } from '../deploy/index.js';
import type { SwarmDeps } from './swarm-deps.js';
import { deployQuickOnSwarm } from './swarm-quick.deploy.js';
import { deployStackOnSwarm } from './swarm-stack.deploy.js';
import { removeSwarmPlacement, teardownOnSwarm } from './swarm-teardown.js';

/** The Swarm deploy flows the deploy feature dispatches to (`target: "swarm"`). */
export function createSwarmFlows(deps: SwarmDeps): SwarmFlows {
  return {
    deployQuick: (ctx, row, pin) => deployQuickOnSwarm(deps, ctx, row, pin ?? null),
    deployStack: (ctx, row, pin) => deployStackOnSwarm(deps, ctx, row, pin ?? null),
    teardown: (ctx, row, removeVolumes) => teardownOnSwarm(deps, ctx, row, removeVolumes),
    removePlacement: (ctx, row) => removeSwarmPlacement(deps, ctx, row),
  };
}

/** Request-time checks of Swarm create requests: a manager answers, and which service names are taken. */
export function createSwarmRequestChecks(deps: Pick<SwarmDeps, 'docker'>): SwarmRequestChecks {
  return {
    async assertReady() {
      await requireManager(deps.docker);
    },
    async serviceNames() {
      return new Set((await servicesByLabel(deps.docker, [])).map((s) => s.Spec.Name));
    },
  };
}
