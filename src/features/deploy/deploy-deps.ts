import type { ProjectRow } from '../../db/schema.js';
import type { Compose } from '../../integrations/compose/compose-cli.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import type { Clock } from '../../lib/clock.js';
import type { ProjectsRepository } from '../../repositories/projects.repository.js';
import type { JobContext } from '../jobs/index.js';
import type { Settings } from '../settings/index.js';
import type { PortsService } from './ports.service.js';
import type { ProjectsService } from './projects.service.js';

/** Publishing as deploy flows need it; the tunnel service implements it. */
export interface Publisher {
  /** Route `hostname` to `service` for the project (ingress + DNS + restart as configured). */
  publish(ctx: JobContext, input: { projectId: string; hostname: string; service: string }): Promise<void>;
  /** Remove every route of the project. */
  unpublish(ctx: JobContext, projectId: string): Promise<void>;
}

/** The Swarm flows (the swarm feature): projects with target `swarm` run there instead. */
export interface SwarmFlows {
  /** A quick service as a replicated Swarm service. */
  deployQuick(ctx: JobContext, row: ProjectRow): Promise<unknown>;
  /** A compose project (its folder ready) as a stack. */
  deployStack(ctx: JobContext, row: ProjectRow): Promise<unknown>;
  teardown(ctx: JobContext, row: ProjectRow, removeVolumes: boolean): Promise<unknown>;
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
  /** Swarm deploys (target `swarm`); absent, such projects fail with a clear message. */
  swarm?: SwarmFlows;
  /** Health gate timings (tests shorten them). */
  healthGate?: { timeoutMs?: number; stableMs?: number };
}
