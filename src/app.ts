import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from './config/config.schema.js';
import { type Db, migrateToLatest, openDatabase } from './db/database.js';
import { createAuditService } from './features/audit/index.js';
import { createAuthService, createGithubAuthService, createUsersService } from './features/auth/index.js';
import { createContainerAccess, createContainersService } from './features/containers/index.js';
import {
  createDeployRequestsService,
  createForwardsService,
  createHostReposService,
  createPortsService,
  createProjectsService,
  createTemplatesService,
  forwardJob,
  reconcileInterruptedDeploys,
  registerDeployJobs,
} from './features/deploy/index.js';
import {
  createJobRegistry,
  createJobRunner,
  createJobsService,
  createLogBus,
} from './features/jobs/index.js';
import { createNodesService } from './features/nodes/index.js';
import { createOnboardingService } from './features/onboarding/index.js';
import { createSettingsService, defaultsFromConfig } from './features/settings/index.js';
import { createSwarmFlows, createSwarmRequestChecks, createSwarmStatus } from './features/swarm/index.js';
import { createSystemService } from './features/system/index.js';
import { createTunnelService } from './features/tunnel/index.js';
import { auditRoutes } from './http/routes/audit.routes.js';
import { authRoutes } from './http/routes/auth.routes.js';
import { containersRoutes } from './http/routes/containers.routes.js';
import { forwardsRoutes } from './http/routes/forwards.routes.js';
import { githubAuthRoutes } from './http/routes/github-auth.routes.js';
import { healthRoutes } from './http/routes/health.routes.js';
import { hostRepoRoutes } from './http/routes/host-repos.routes.js';
import { jobRoutes } from './http/routes/jobs.routes.js';
import { nodesRoutes } from './http/routes/nodes.routes.js';
import { onboardingRoutes } from './http/routes/onboarding.routes.js';
import { projectRoutes } from './http/routes/projects.routes.js';
import { settingsRoutes } from './http/routes/settings.routes.js';
import { swarmRoutes } from './http/routes/swarm.routes.js';
import { systemRoutes } from './http/routes/system.routes.js';
import { templatesRoutes } from './http/routes/templates.routes.js';
import { tokenRoutes } from './http/routes/tokens.routes.js';
import { tunnelRoutes } from './http/routes/tunnel.routes.js';
import { userRoutes } from './http/routes/users.routes.js';
import { webRoutes } from './http/routes/web.routes.js';
import { createHttpServer, type HttpApp, type RouteInfo } from './http/server.js';
import { createStreamSlots, type StreamLimits } from './http/stream-slots.js';
import { type Compose, createCompose, detectCompose } from './integrations/compose/compose-cli.js';
import { createDockerClient } from './integrations/docker/docker-client.js';
import { createGithubApp } from './integrations/github/github-app.js';
import { createGithubClient } from './integrations/github/github-client.js';
import { orgMembership } from './integrations/github/org-membership.js';
import { detectSelfContainerId } from './integrations/host/self-container.js';
import { createStackCli } from './integrations/swarm/stack-cli.js';
import { type Clock, systemClock } from './lib/clock.js';
import { DEFAULT_CHILD_PATH } from './lib/process/run-process.js';
import { createSecretBox, loadSecretKey } from './lib/secret-box.js';
import { createRepositories } from './repositories/index.js';
import { readVersion } from './version.js';

/** Options a test (or the CLI) may override. */
export interface AppOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Bench override: lines a job's log may hold (default 50k). */
  jobLogMaxLines?: number;
  /** Health gate timings of the deploy flows (tests and benchmarks shorten the stabilisation window). */
  healthGate?: { timeoutMs?: number; stableMs?: number };
  /** Where the built SPA is (default `dist/web`); tests point it at a bundle of their own. */
  webRoot?: string;
  /** Concurrent log reads and live streams per caller and in all (tests lower them). */
  streamLimits?: StreamLimits;
}

/** The composition root: config → db → repositories → integrations → services → jobs → http. */
export async function createApp(opts: AppOptions) {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const version = readVersion();
  // The data dir holds the database, the secret key and backups of config files: owner only.
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(config.dataDir, 0o700);
  const db: Db = await openDatabase(config.databaseUrl, {
    onPoolError: (err) =>
      logger.warn({ err: err.message }, 'database connection lost; reconnecting on next query'),
  });
  await migrateToLatest(db);

  const repos = createRepositories(db.kysely);
  const box = createSecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const audit = createAuditService({ audit: repos.audit, clock });
  const settings = createSettingsService({
    repo: repos.settings,
    box,
    defaults: defaultsFromConfig(config),
    audit,
    clock,
  });
  // GitHub: App installation client (rebuilt on settings change), REST operations, sign-in, templates.
  const githubLog = logger.child({ component: 'github' });
  const githubApp = createGithubApp({ settings, log: githubLog });
  const auth = createAuthService({
    ...repos,
    audit,
    clock,
    log: logger,
    accessLists: async () => (await settings.get()).access,
    orgMember: async (org, login) =>
      (await githubApp.configured()) ? orgMembership(await githubApp.octokit(), org, login) : null,
  });
  const users = createUsersService({
    repos,
    auth,
    audit,
    clock,
    accessLists: async () => (await settings.get()).access,
  });
  const onboarding = createOnboardingService({ repo: repos.onboarding, audit, clock });
  const github = {
    app: githubApp,
    client: createGithubClient({ app: githubApp, log: githubLog }),
    templates: createTemplatesService({ settings, app: githubApp }),
    auth: createGithubAuthService({ settings, auth, audit, log: githubLog, publicUrl: config.publicUrl }),
  };
  // Docker: the client connects lazily (first call negotiates the API version), never at start-up.
  const dockerLog = logger.child({ component: 'docker' });
  const docker = createDockerClient({
    dockerHost: config.dockerHost,
    log: dockerLog,
    remote: { tls: config.dockerTls, sshAuthSock: config.sshAuthSock },
  });
  let selfContainer: Promise<string | null> | null = null;
  const access = createContainerAccess({
    selfContainerId: () => (selfContainer ??= detectSelfContainerId()),
    tunnelContainer: async () => {
      const { restart } = (await settings.get()).tunnel;
      return restart.mode === 'docker' ? restart.target : null;
    },
    dataDir: config.dataDir,
  });
  const containers = createContainersService({
    docker,
    access,
    projects: repos.projects,
    audit,
    log: dockerLog,
  });
  const system = createSystemService({ docker, dataDir: config.dataDir, clock, log: dockerLog });
  const ports = createPortsService({
    reservations: repos.portReservations,
    docker,
    settings,
    clock,
    log: logger.child({ component: 'ports' }),
  });
  // Publishing: config.yml / cloudflared / restarts (local) or the Cloudflare API (remote).
  const tunnel = createTunnelService({
    settings,
    routes: repos.routes,
    config,
    docker: () => docker,
    clock,
    logger: logger.child({ component: 'tunnel' }),
  });
  const jobBus = createLogBus();
  const jobRegistry = createJobRegistry();
  const runner = createJobRunner({
    jobs: repos.jobs,
    jobLogs: repos.jobLogs,
    registry: jobRegistry,
    bus: jobBus,
    secrets: () => settings.secrets(),
    logger: logger.child({ component: 'jobs' }),
    clock,
    concurrency: config.jobConcurrency,
    maxLogLines: opts.jobLogMaxLines,
    // After a crash: deploys cut off mid-way leave no container, reservation or `deploying` project.
    onRecovered: (interrupted) =>
      reconcileInterruptedDeploys(
        { docker, ports, projectsRepo: repos.projects, clock, log: logger.child({ component: 'deploy' }) },
        interrupted,
      ),
  });
  const jobs = createJobsService({
    jobs: repos.jobs,
    jobLogs: repos.jobLogs,
    registry: jobRegistry,
    runner,
    bus: jobBus,
    audit,
    settings,
    clock,
    afterCommit: repos.afterCommit,
  });
  jobs.register(forwardJob({ projects: repos.projects, tunnel, clock }));
  // Deploy flows: quick services, compose projects, redeploy, teardown, host repos.
  const projects = createProjectsService({
    projects: repos.projects,
    routes: repos.routes,
    jobs,
    audit,
    settings,
    box,
    clock,
    transaction: repos.transaction,
    tunnel,
  });
  // The Docker CLI (compose, stack deploy) reaches the same engine the API calls go to.
  const composeEnv: Record<string, string> = {
    DOCKER_HOST: config.dockerHost,
    ...(config.dockerConfig ? { DOCKER_CONFIG: config.dockerConfig } : {}),
    ...(config.dockerTls.verify ? { DOCKER_TLS_VERIFY: '1' } : {}),
    ...(config.dockerTls.certPath ? { DOCKER_CERT_PATH: config.dockerTls.certPath } : {}),
    ...(config.sshAuthSock ? { SSH_AUTH_SOCK: config.sshAuthSock } : {}),
  };
  let composeCli: Promise<Compose> | null = null;
  const compose = () => {
    composeCli ??= detectCompose(config.compose, { PATH: DEFAULT_CHILD_PATH, ...composeEnv }).then(
      (command) => createCompose(command, composeEnv),
    );
    return composeCli;
  };
  // Swarm: the same engine as a Swarm manager — services and stacks beside the single-host flows.
  const swarmFlows = createSwarmFlows({
    docker,
    stack: async () => createStackCli((await compose()).command, composeEnv),
    publisher: tunnel.publisher,
    projectsRepo: repos.projects,
    openSpec: (row) => projects.openSpec(row),
    settings,
    clock,
    ...(opts.healthGate ? { gate: opts.healthGate } : {}),
  });
  const swarmStatus = createSwarmStatus({ docker, projects });
  const nodes = createNodesService({ docker, audit });
  const deployRequests = createDeployRequestsService({
    projects,
    projectsRepo: repos.projects,
    docker,
    settings,
    github,
    swarm: createSwarmRequestChecks({ docker }),
  });
  const forwards = createForwardsService({ projects, tunnel, settings, panelPort: config.port });
  const hostRepos = createHostReposService({ docker, projects: repos.projects, jobs, settings });
  registerDeployJobs(jobs, {
    docker,
    compose,
    ports,
    publisher: tunnel.publisher,
    projects,
    projectsRepo: repos.projects,
    settings,
    clock,
    containers,
    hostRepos,
    github,
    swarm: swarmFlows,
    ...(opts.healthGate ? { healthGate: opts.healthGate } : {}),
  });
  const startedAt = Date.now();
  const streamSlots = createStreamSlots(opts.streamLimits);

  const { app: http, routes } = await createHttpServer({
    logger,
    version,
    auth,
    publicDocs: async () => (await settings.get()).api.publicDocs,
    registerRoutes: (app: HttpApp) => {
      healthRoutes(app, { version, startedAt });
      authRoutes(app, { auth, secureCookies: config.publicUrl.startsWith('https://') });
      tokenRoutes(app, { auth });
      userRoutes(app, { users });
      githubAuthRoutes(app, {
        githubAuth: github.auth,
        secureCookies: config.publicUrl.startsWith('https://'),
      });
      templatesRoutes(app, { templates: github.templates, checkApp: () => github.app.test() });
      settingsRoutes(app, { settings });
      onboardingRoutes(app, { onboarding });
      auditRoutes(app, { audit });
      jobRoutes(app, { jobs, slots: streamSlots });
      containersRoutes(app, { containers, slots: streamSlots });
      systemRoutes(app, { system });
      tunnelRoutes(app, { tunnel });
      projectRoutes(app, { projects, requests: deployRequests });
      forwardsRoutes(app, { forwards });
      hostRepoRoutes(app, { hostRepos });
      nodesRoutes(app, { nodes });
      swarmRoutes(app, { swarm: swarmStatus, slots: streamSlots });
      // Last: the SPA's catch-all only answers paths no API route took.
      webRoutes(app, opts.webRoot ? { root: opts.webRoot } : {});
    },
  });

  return {
    config,
    db,
    repos,
    services: {
      audit,
      auth,
      settings,
      onboarding,
      jobs,
      containers,
      system,
      projects,
      deployRequests,
      hostRepos,
      nodes,
      swarmStatus,
    },
    /** The compose CLI (detected once, on first use). */
    compose,
    /** GitHub: `app` (installation octokit/token/test), `client` (generate, waitForContent, getRepo, repoExists), `templates`, `auth`. */
    github,
    /** Docker engine client (`call`, `streams`, `health`) for deploy flows. */
    docker,
    /** Free host ports: `reserve({ projectId, jobId })`, `reserveSpecific(port, owner)`, `release(…)`. */
    ports,
    /** Publishing: `publish(input, jobCtx)`, `unpublish(projectId, jobCtx)`, `publisher` (deploy flows' `Publisher`), status. */
    tunnel,
    /** Jobs: `jobs.register(definition)`, `jobs.enqueue(ctx, type, input, { projectId })`. */
    jobs,
    /** The job runner: `start()` (recovery, then claiming) runs after listen; `stop()` on shutdown. */
    runner,
    http,
    routes: routes as RouteInfo[],
    version,
    /** Stop everything in order: the job runner (running jobs get a grace period), HTTP, the database. */
    async close(): Promise<void> {
      await runner.stop();
      await http.close();
      await db.close();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
