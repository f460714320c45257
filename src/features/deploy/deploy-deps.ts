import type { ProjectRow } from '../../db/schema.js';
import type { Compose } from '../../integrations/compose/compose-cli.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { RegistryAuth } from '../../integrations/docker/registry-auth.js';
import type { Clock } from '../../lib/clock.js';
import type { TaskLog } from '../../lib/task-context.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { JobContext } from '../jobs/index.js';
import type { Release, ReleaseBook } from '../releases/index.js';
import type { Settings } from '../settings/index.js';
import type { PlanStore } from './plan-store.js';
import type { PortsService } from './ports.service.js';
import type { ProjectsService } from './projects.service.js';

/** Publishing as deploy flows need it; the tunnel service implements it. */
export interface Publisher {
  /** Route `hostname` to `service` for the project (ingress + DNS + restart as configured). */
  publish(ctx: JobContext, input: { projectId: string; hostname: string; service: string }): Promise<void>;
  /** Remove every route of the project. */
  unpublish(ctx: JobContext, projectId: string): Promise<void>;
  /** The hostnames the project's routes hold now. */
  hostnames(projectId: string): Promise<string[]>;
}

/** Registry credentials and rules as deploy flows need them; the registries service implements it. */
export interface RegistryAccess {
  /** The AuthConfig for pulling `image`, or undefined for an anonymous pull. */
  authFor(image: string): Promise<RegistryAuth | undefined>;
  /** Refuse (400) an image from a loopback/private registry that is not in `allowedRegistries`. */
  assertAllowed(image: string): Promise<void>;
  /** Run `fn` with the env of a per-run Docker config holding the saved logins (removed after). */
  withDockerConfig<T>(log: TaskLog, fn: (env: Record<string, string>) => Promise<T>): Promise<T>;
}

/** The state of a commit's deploy as the repository host shows it (GitHub commit statuses). */
export type CommitDeployState = 'pending' | 'success' | 'failure' | 'error';

/** Reports deploys of repo-backed projects back to the repository host; never fails a deploy. */
export interface CommitStatusReporter {
  /**
   * Set the commit's status for this job's deploy; problems become warnings in the job log. `project`
   * (the hostname) tells apart two projects deployed from one repository.
   */
  report(
    ctx: JobContext,
    repo: { owner: string; name: string; commit: string; project: string },
    state: CommitDeployState,
    description: string,
  ): Promise<void>;
}

/**
 * The Swarm flows (the swarm feature): projects with target `swarm` run there instead. `pin` re-runs
 * a release exactly (a rollback).
 */
export interface SwarmFlows {
  /** A quick service as a replicated Swarm service. */
  deployQuick(ctx: JobContext, row: ProjectRow, pin?: Release | null): Promise<unknown>;
  /** A compose project (its folder ready) as a stack. */
  deployStack(ctx: JobContext, row: ProjectRow, pin?: Release | null): Promise<unknown>;
  teardown(ctx: JobContext, row: ProjectRow, removeVolumes: boolean): Promise<unknown>;
  /** Its service or stack taken down, its route and releases kept (a move to the host). */
  removePlacement(ctx: JobContext, row: ProjectRow): Promise<void>;
}

/** Everything the deploy handlers use, passed explicitly. */
export interface DeployDeps {
  docker: DockerClient;
  compose: () => Promise<Compose>;
  ports: PortsService;
  publisher: Publisher;
  projects: ProjectsService;
  projectsRepo: ProjectsRepository;
  settings: { get(): Promise<Settings> };
  registries: RegistryAccess;
  clock: Clock;
  /** The model and plan each compose project runs (under the data dir). */
  plans: PlanStore;
  /** Every successful deploy is a release: recorded, made live, pruned beyond `releases.keep`. */
  releases: ReleaseBook;
  /** Runs first in every deploy of an existing project (the backups feature's "back up before deploy"). */
  beforeDeploy?: (ctx: JobContext, projectId: string) => Promise<void>;
  /** Commit statuses for repo-backed deploys (absent: none are set). */
  commitStatus?: CommitStatusReporter;
  /** Swarm deploys (target `swarm`); absent, such projects fail with a clear message. */
  swarm?: SwarmFlows;
  /** Health gate timings (tests shorten them). */
  healthGate?: { timeoutMs?: number; stableMs?: number };
  /** Fail a pull that receives nothing for this long (default 2 min; tests shorten it). */
  pullStallTimeoutMs?: number;
}
