import { conflict, preconditionFailed, validationError } from '../../domain/errors.js';
import { inferContainerName } from '../../domain/image-reference.js';
import { composeSwarmProblems } from '../../domain/stack-model.js';
import {
  nextFreeServiceName,
  nodeLabelConstraints,
  parseReplicas,
  resourceLimits,
  swarmServiceName,
} from '../../domain/swarm-names.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { ProjectSpec } from './projects.view.js';

/** Where a new project runs: every create request may say (`host` when it does not). */
export interface TargetRequest {
  target?: 'host' | 'swarm' | undefined;
  replicas?: number | undefined;
}

/** The request-time Swarm checks (the swarm feature provides them). */
export interface SwarmRequestChecks {
  /** 422 unless the engine is a Swarm manager. */
  assertReady(): Promise<void>;
  /** Names of the Swarm services that exist now. */
  serviceNames(): Promise<Set<string>>;
}

/** 400 for a compose file a stack cannot run as written (`build:` without a registry to push to). */
export function assertSwarmCompose(compose: unknown): void {
  const problems = composeSwarmProblems(compose);
  if (problems.length > 0) throw validationError('this compose project cannot run on Swarm', problems);
}

/** Swarm-only fields of a quick service request, and the dry run the Swarm target does not offer. */
interface SwarmFields extends TargetRequest {
  constraints?: Record<string, string> | undefined;
  resources?: { cpus?: number | undefined; memoryMb?: number | undefined } | undefined;
  dryRun?: boolean | undefined;
}

/**
 * The target part of create requests: field checks, the columns and Swarm spec a project gets, and
 * Swarm service names. The host target behaves exactly as before; Swarm needs a manager (422).
 */
export function createTargets(deps: {
  swarm?: SwarmRequestChecks | undefined;
  projectsRepo: ProjectsRepository;
}) {
  /** Field checks of the target (for `collect`): Swarm-only fields are refused on the host. */
  function targetChecks(body: SwarmFields | TargetRequest): (() => void)[] {
    const b = body as SwarmFields;
    if ((b.target ?? 'host') === 'host') {
      return [
        () => {
          const extra = (['replicas', 'constraints', 'resources'] as const).filter((k) => b[k] !== undefined);
          if (extra.length > 0) {
            throw validationError(
              'these fields apply to target "swarm" only',
              extra.map((k) => ({ path: k, message: 'only with "target": "swarm"' })),
            );
          }
        },
      ];
    }
    return [
      () => {
        // A plan is the single-host model (host port, blue/green); a stack file is another thing.
        if (b.dryRun) {
          throw validationError('a dry run shows the plan of target "host" only', [
            { path: 'dryRun', message: 'not available with "target": "swarm"' },
          ]);
        }
      },
      () => b.replicas !== undefined && parseReplicas(b.replicas),
      () => b.constraints !== undefined && nodeLabelConstraints(b.constraints),
      () => b.resources !== undefined && resourceLimits(b.resources),
    ];
  }

  /** The target columns and Swarm spec of a checked request; 422 when Swarm is asked for but absent. */
  async function placement(body: SwarmFields | TargetRequest): Promise<{
    target: 'host' | 'swarm';
    replicas: number | null;
    spec: Partial<ProjectSpec>;
  }> {
    if ((body.target ?? 'host') === 'host') return { target: 'host', replicas: null, spec: {} };
    if (!deps.swarm) throw preconditionFailed('Swarm deploys are not available in this panel');
    await deps.swarm.assertReady();
    const b = body as SwarmFields;
    const spec: Partial<ProjectSpec> = {};
    if (b.constraints && Object.keys(b.constraints).length > 0) spec.constraints = b.constraints;
    if (b.resources) {
      spec.resources = {
        ...(b.resources.cpus !== undefined ? { cpus: b.resources.cpus } : {}),
        ...(b.resources.memoryMb !== undefined ? { memoryMb: b.resources.memoryMb } : {}),
      };
    }
    return { target: 'swarm', replicas: b.replicas ?? 1, spec };
  }

  /**
   * A free Swarm service name: the one asked for (409 when taken) or one made from `base` (a moving
   * project's name), else inferred from the image.
   */
  async function swarmName(requested: string | undefined, image: string, base?: string): Promise<string> {
    const taken = await deps.swarm!.serviceNames();
    for (const p of await deps.projectsRepo.listActive()) {
      const service = (JSON.parse(p.spec) as ProjectSpec).swarmService;
      if (service) taken.add(service);
    }
    if (requested !== undefined) {
      if (taken.has(requested)) throw conflict(`a Swarm service named ${requested} already exists`);
      return requested;
    }
    return nextFreeServiceName(swarmServiceName(base ?? inferContainerName(image)), taken);
  }

  return { targetChecks, placement, swarmName };
}
