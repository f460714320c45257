import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.schema.js';
import { type Db, migrateToLatest, openDatabase } from './db/database.js';
import { notFound } from './domain/errors.js';
import { createAuditService } from './features/audit/index.js';
import {
  createAuthService,
  createGithubAuthService,
  createPasskeysService,
  createPasswordService,
  createUsersService,
} from './features/auth/index.js';
import {
  type BackupScheduler,
  type BackupsDeps,
  createBackupScheduler,
  createBackupsService,
  recoverInterruptedBackups,
  registerBackupJobs,
} from './features/backups/index.js';
import { createContainerAccess, createContainersService } from './features/containers/index.js';
import {
  createDeployRequestsService,
  createForwardsService,
  createHostReposService,
  createPlanStore,
  createPortsService,
  createProjectPlansService,
  createProjectStatusWatcher,
  createProjectsService,
  createTemplatesService,
  DEPLOY_JOB_TYPES,
  forwardJob,
  reconcileInterruptedDeploys,
  registerDeployJobs,
} from './features/deploy/index.js';
import { createHooksFeature } from './features/hooks/index.js';
import {
  createJobRegistry,
  createJobRunner,
  createJobsService,
  createLogBus,
} from './features/jobs/index.js';
import {
  createMetricsQuery,
  createMetricsSampler,
  createProjectIndex,
  createSampleReader,
  createThresholdsService,
  createThresholdWatch,
  type SamplerOptions,
} from './features/metrics/index.js';
import { createNodesService } from './features/nodes/index.js';
import { createNotifications, type NotificationOptions } from './features/notifications/index.js';
import { createOnboardingService } from './features/onboarding/index.js';
import { createRegistriesService } from './features/registries/index.js';
import { createReleaseBook, createReleasesService } from './features/releases/index.js';
import { createSettingsService, defaultsFromConfig } from './features/settings/index.js';
import { createSwarmFlows, createSwarmRequestChecks, createSwarmStatus } from './features/swarm/index.js';
import { createSystemService } from './features/system/index.js';
import { createTunnelService } from './features/tunnel/index.js';
import { auditRoutes } from './http/routes/audit.routes.js';
import { authRoutes } from './http/routes/auth.routes.js';
import { backupsRoutes } from './http/routes/backups.routes.js';
import { containersRoutes } from './http/routes/containers.routes.js';
import { forwardsRoutes } from './http/routes/forwards.routes.js';
import { githubAuthRoutes } from './http/routes/github-auth.routes.js';
import { healthRoutes } from './http/routes/health.routes.js';
import { hooksRoutes } from './http/routes/hooks.routes.js';
import { hostRepoRoutes } from './http/routes/host-repos.routes.js';
import { jobRoutes } from './http/routes/jobs.routes.js';
import { localSignInRoutes } from './http/routes/local-sign-in.routes.js';
import { metricsRoutes } from './http/routes/metrics.routes.js';
import { nodesRoutes } from './http/routes/nodes.routes.js';
import { notificationsRoutes } from './http/routes/notifications.routes.js';
import { onboardingRoutes } from './http/routes/onboarding.routes.js';
import { projectRoutes } from './http/routes/projects.routes.js';
import { registriesRoutes } from './http/routes/registries.routes.js';
import { releasesRoutes } from './http/routes/releases.routes.js';
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
import { createRestic } from './integrations/restic/restic-cli.js';
import { createStackCli } from './integrations/swarm/stack-cli.js';
import { type Clock, systemClock } from './lib/clock.js';
import { DEFAULT_CHILD_PATH } from './lib/process/run-process.js';
import { systemContext } from './lib/request-context.js';
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
  /** A pull that receives nothing for this long fails (default 2 min; tests shorten it). */
  pullStallTimeoutMs?: number;
  /** Retry, grouping and watch timings of notifications (tests shorten them). */
  notifications?: NotificationOptions;
  /** Size bound and maintenance period of the metrics history. */
  metrics?: SamplerOptions;
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
    sessionMaxHours: async () => (await settings.get()).auth.sessionMaxHours,
  });
  // Sign-in without a shell: the local admin's passkeys and password (the login token stays for recovery).
  const passkeys = createPasskeysService({
    users: repos.users,
    credentials: repos.webauthnCredentials,
    audit,
    clock,
    publicUrl: config.publicUrl,
    createSession: auth.createSession,
  });
  const password = createPasswordService({
    users: repos.users,
    audit,
    clock,
    createSession: auth.createSession,
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
      if (restart.mode !== 'docker') return null;
      return [...(restart.target ? [restart.target] : []), ...restart.replicas.map((r) => r.target)];
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
  // The Compose model each project runs, under the data dir (never inside the user's folder).
  const plans = createPlanStore(config.dataDir);
  // Every successful deploy is a release (kept with its images up to releases.keep).
  const releaseBook = createReleaseBook({
    repo: repos.releases,
    transaction: repos.transaction,
    box,
    docker,
    settings,
    clock,
  });
  // App data backups (restic on the host; volumes read through a helper container). Wired before the
  // runner so crash recovery can fail interrupted runs and unpause what a backup paused.
  const backupsWorkDir = path.join(config.dataDir, 'backups');
  const backupLog = logger.child({ component: 'backups' });
  const backupDeps: BackupsDeps = {
    repo: repos.backups,
    box,
    docker,
    // Backups act for the panel itself, on the project's (managed) containers.
    containers: { list: (query) => containers.list(systemContext, query) },
    restic: createRestic({ bin: config.backups.resticBin, cacheDir: path.join(backupsWorkDir, 'cache') }),
    settings,
    projects: {
      load: async (id) => {
        const row = await repos.projects.findById(id);
        if (!row || row.status === 'removed') throw notFound('project');
        return row;
      },
    },
    clock,
    workDir: backupsWorkDir,
    defaultLocalPath: path.join(config.dataDir, 'app-backups'),
    // Loud: logged, and sent to every channel that listens for backup.failed.
    onBackupFailed: (event) => {
      backupLog.error(
        { projectId: event.projectId, kind: event.kind, status: event.status, jobId: event.jobId },
        `backup.failed: ${event.message}`,
      );
      return notifications
        .backupFailed({
          projectId: event.projectId,
          reason: `${event.kind === 'verify' ? 'restore check' : 'backup'} ${event.status}: ${event.message}`,
          jobId: event.jobId,
          backupId: event.runId,
        })
        .then(() => undefined);
    },
    log: backupLog,
  };
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
    onRecovered: async (interrupted) => {
      await reconcileInterruptedDeploys(
        {
          docker,
          ports,
          plans,
          projectsRepo: repos.projects,
          clock,
          log: logger.child({ component: 'deploy' }),
          releases: {
            docker,
            ports,
            plans,
            projectsRepo: repos.projects,
            clock,
            routes: repos.routes,
            releases: releaseBook,
          },
        },
        interrupted,
      );
      await recoverInterruptedBackups(backupDeps, interrupted);
    },
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
  let backupScheduler: BackupScheduler | null = null;
  const backups = createBackupsService({ ...backupDeps, jobs, audit, scheduler: () => backupScheduler });
  backupScheduler = createBackupScheduler({
    policies: () => backups.scheduled(),
    fire: backups.fire,
    log: backupLog,
  });
  registerBackupJobs(jobs, backupDeps);
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
      (flavour) => createCompose(flavour, composeEnv),
    );
    return composeCli;
  };
  // Registry logins for pulls (X-Registry-Auth) and Compose runs (a per-run DOCKER_CONFIG in the data dir).
  const registries = createRegistriesService({
    settings,
    runDir: path.join(config.dataDir, 'run'),
    baseDockerConfig: config.dockerConfig,
  });
  await registries.sweepStale();
  // Swarm: the same engine as a Swarm manager — services and stacks beside the single-host flows.
  const swarmFlows = createSwarmFlows({
    docker,
    compose,
    stack: async () => createStackCli((await compose()).command, composeEnv),
    publisher: tunnel.publisher,
    projectsRepo: repos.projects,
    openSpec: (row) => projects.openSpec(row),
    settings,
    registries,
    releases: releaseBook,
    dataDir: config.dataDir,
    clock,
    ...(opts.healthGate ? { gate: opts.healthGate } : {}),
  });
  const swarmStatus = createSwarmStatus({ docker, projects });
  const nodes = createNodesService({ docker, audit });
  // Swarm: the same engine as a Swarm manager — services and stacks beside the single-host flows.
  const deployRequests = createDeployRequestsService({
    projects,
    projectsRepo: repos.projects,
    docker,
    settings,
    github,
    compose,
    dataDir: config.dataDir,
    peekPort: () => ports.peek(),
    forwardPorts: { assertFree: (port, selfId) => forwards.assertFree(port, selfId) },
    swarm: createSwarmRequestChecks({ docker }),
  });
  const projectPlans = createProjectPlansService({ projects, plans });
  const releases = createReleasesService({ book: releaseBook, projects });
  const forwards = createForwardsService({
    projects,
    projectsRepo: repos.projects,
    reservations: repos.portReservations,
    tunnel,
    settings,
    panelPort: config.port,
  });
  const hostRepos = createHostReposService({ docker, projects: repos.projects, jobs, settings, plans });
  // Push to deploy: GitHub webhooks and deploy hooks queue redeploys; deploys report commit statuses.
  const hooksLog = logger.child({ component: 'hooks' });
  const hooks = createHooksFeature({
    deliveries: repos.hookDeliveries,
    deployHooks: repos.deployHooks,
    projects,
    projectsRepo: repos.projects,
    jobs,
    settings,
    github: {
      configured: () => github.app.configured(),
      createCommitStatus: (input) => github.client.createCommitStatus(input),
    },
    audit,
    clock,
    transaction: repos.transaction,
    publicUrl: config.publicUrl,
    log: hooksLog,
    // Rejected signatures and ignored pushes reach the channels that listen for webhook.rejected.
    onRejected: (r) => {
      hooksLog.warn({ rejected: r }, 'webhook.rejected');
      void notifications
        .webhookRejected({
          projectId: r.projectId,
          result: 'rejected',
          reason: r.reason,
          deliveryId: r.deliveryId,
          githubEvent: r.event,
        })
        .catch(() => {});
    },
    onInstallationChanged: () => github.templates.invalidate(),
  });
  registerDeployJobs(jobs, {
    docker,
    compose,
    ports,
    publisher: tunnel.publisher,
    projects,
    projectsRepo: repos.projects,
    settings,
    registries,
    clock,
    plans,
    releases: releaseBook,
    containers,
    hostRepos,
    github,
    beforeDeploy: (ctx, projectId) => backups.beforeDeploy(ctx, projectId),
    commitStatus: hooks.statuses,
    swarm: swarmFlows,
    ...(opts.healthGate ? { healthGate: opts.healthGate } : {}),
    ...(opts.pullStallTimeoutMs ? { pullStallTimeoutMs: opts.pullStallTimeoutMs } : {}),
  });
  // Project statuses follow the engine's container events (reconciled at start and on reconnect).
  const projectStatus = createProjectStatusWatcher({
    docker,
    projectsRepo: repos.projects,
    clock,
    log: logger.child({ component: 'project-status' }),
  });
  // Metrics history: the sampler (host + managed containers), range reads, per-project thresholds.
  const metricsLog = logger.child({ component: 'metrics' });
  const projectIndex = createProjectIndex({ projects: repos.projects });
  const sampler = createMetricsSampler({
    reader: createSampleReader({ docker, projects: projectIndex, dataDir: config.dataDir, log: metricsLog }),
    metrics: repos.metrics,
    intervalSeconds: async () => (await settings.get()).metrics.intervalSeconds,
    clock,
    log: metricsLog,
    ...(opts.metrics ? { options: opts.metrics } : {}),
  });
  const metricsQuery = createMetricsQuery({ metrics: repos.metrics, projects: repos.projects, clock });
  const thresholds = createThresholdsService({
    repo: repos.metricThresholds,
    projects: repos.projects,
    audit,
    clock,
  });
  // Notifications: channels, the durable delivery queue, and the watches that publish on their own.
  const notifications = createNotifications({
    channels: repos.notificationChannels,
    deliveries: repos.notificationDeliveries,
    groups: repos.notificationGroups,
    transaction: repos.transaction,
    box,
    audit,
    clock,
    log: logger.child({ component: 'notifications' }),
    publicUrl: config.publicUrl,
    secrets: () => settings.secrets(),
    projectInfo: async (id) => {
      const row = await repos.projects.findById(id);
      if (!row) return null;
      const env = projects.openSpec(row).env ?? {};
      return { id: row.id, name: row.name, hostname: row.hostname, secrets: Object.values(env) };
    },
    projectActivity: async (id) => {
      const row = await repos.projects.findById(id);
      if (!row) return null;
      const job = row.last_job_id ? await repos.jobs.get(row.last_job_id) : undefined;
      return { status: row.status, lastJobFinishedAt: job?.finished_at ? Date.parse(job.finished_at) : null };
    },
    docker,
    projectIndex,
    containerLogs: async (id, tail) =>
      (await containers.logs(systemContext, id, { tail, timestamps: false })).lines.map((l) => l.text),
    jobLogTail: async (jobId, n) => {
      const last = await repos.jobLogs.lastSeq(jobId);
      return (await repos.jobLogs.listAfter(jobId, Math.max(0, last - n), n)).map((l) => l.text);
    },
    tunnelHealth: () => tunnel.health(),
    deployTypes: DEPLOY_JOB_TYPES,
    ...(opts.notifications ? { options: opts.notifications } : {}),
  });
  const thresholdWatch = createThresholdWatch({
    thresholds: () => thresholds.all(),
    diskThreshold: async () => (await settings.get()).metrics.diskThresholdPercent,
    onAlert: (alert) => notifications.metricAlert(alert),
    log: metricsLog,
  });
  sampler.onSample((batch) => thresholdWatch.observe(batch));
  // Deploy outcomes reach notifications through the runner's hook: jobs know nothing of notifications.
  runner.onFinished((row) => notifications.jobFinished(row));
  /** The background loops besides the job runner: started after listen, stopped on close. */
  const monitors = {
    async start(): Promise<void> {
      sampler.start();
      await notifications.start();
    },
    async stop(): Promise<void> {
      await sampler.stop();
      await notifications.stop();
    },
  };
  const startedAt = Date.now();
  const streamSlots = createStreamSlots(opts.streamLimits);

  const {
    app: http,
    routes,
    docs,
  } = await createHttpServer({
    logger,
    version,
    auth,
    publicDocs: async () => (await settings.get()).api.publicDocs,
    registerRoutes: (app: HttpApp) => {
      healthRoutes(app, { version, startedAt });
      authRoutes(app, { auth, secureCookies: config.publicUrl.startsWith('https://') });
      tokenRoutes(app, { auth });
      userRoutes(app, { users });
      localSignInRoutes(app, {
        passkeys,
        password,
        githubConfigured: async () => {
          const { oauthClientId, oauthClientSecret } = (await settings.get()).github;
          return Boolean(oauthClientId && oauthClientSecret);
        },
        secureCookies: config.publicUrl.startsWith('https://'),
      });
      githubAuthRoutes(app, {
        githubAuth: github.auth,
        secureCookies: config.publicUrl.startsWith('https://'),
      });
      templatesRoutes(app, {
        templates: github.templates,
        checkApp: async () => ({
          ...(await github.app.test()),
          webhook: await hooks.deliveries.webhookStatus(),
        }),
      });
      settingsRoutes(app, { settings });
      registriesRoutes(app, { registries });
      onboardingRoutes(app, { onboarding });
      auditRoutes(app, { audit });
      jobRoutes(app, { jobs, slots: streamSlots });
      containersRoutes(app, { containers, slots: streamSlots });
      systemRoutes(app, { system });
      tunnelRoutes(app, { tunnel });
      projectRoutes(app, { projects, requests: deployRequests, plans: projectPlans });
      releasesRoutes(app, { releases });
      forwardsRoutes(app, { forwards });
      hostRepoRoutes(app, { hostRepos });
      backupsRoutes(app, { backups });
      notificationsRoutes(app, { notifications });
      metricsRoutes(app, { query: metricsQuery, thresholds });
      hooksRoutes(app, { hooks });
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
      backups,
      registries,
      hooks,
      releases,
      nodes,
      swarmStatus,
    },
    /** Backup and restore-check timers: `start()` after the runner started, stopped by `close()`. */
    backupScheduler,
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
    /** Project statuses from engine events: `start()` after the runner (reconcile, then follow), `stop()`. */
    projectStatus,
    /** Notifications: channels, `publish`, `webhookRejected`, `backupFailed`, the delivery worker and watches. */
    notifications,
    /** Metrics history: the sampler (`tick`, `maintain`), range reads, thresholds. */
    metrics: { sampler, query: metricsQuery, thresholds, thresholdWatch },
    /** Sampler, delivery worker, engine-event and tunnel watches: `start()` after listen, `stop()` on close. */
    monitors,
    http,
    routes: routes as RouteInfo[],
    /** The OpenAPI document (`GET /api/openapi.json`), built on first use. */
    openapi: () => docs.document(),
    version,
    /** Stop everything in order: the job runner (running jobs get a grace period), the monitors, HTTP, the database. */
    async close(): Promise<void> {
      backupScheduler?.stop();
      await projectStatus.stop();
      await runner.stop();
      await monitors.stop();
      await http.close();
      await db.close();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
