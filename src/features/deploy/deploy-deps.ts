import type { Compose } from '../../integrations/compose/compose-cli.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { Clock } from '../../lib/clock.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { JobContext } from '../jobs/index.js';
import type { ReleaseBook } from '../releases/index.js';
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
  clock: Clock;
  /** The model and plan each compose project runs (under the data dir). */
  plans: PlanStore;
  /** Every successful deploy is a release: recorded, made live, pruned beyond `releases.keep`. */
  releases: ReleaseBook;
  /** Runs first in every deploy of an existing project (the backups feature's "back up before deploy"). */
  beforeDeploy?: (ctx: JobContext, projectId: string) => Promise<void>;
  /** Health gate timings (tests shorten them). */
  healthGate?: { timeoutMs?: number; stableMs?: number };
}
