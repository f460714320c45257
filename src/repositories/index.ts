import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { createTransactor } from '../db/transaction.js';
import { createApiTokensRepository } from './api-tokens.repository.js';
import { createAuditRepository } from './audit.repository.js';
import { createBackupsRepository } from './backups.repository.js';
import { createDeployHooksRepository } from './deploy-hooks.repository.js';
import { createHookDeliveriesRepository } from './hook-deliveries.repository.js';
import { createJobLogsRepository } from './job-logs.repository.js';
import { createJobsRepository } from './jobs.repository.js';
import { createLoginTokensRepository } from './login-tokens.repository.js';
import { createMetricThresholdsRepository } from './metric-thresholds.repository.js';
import { createMetricsRepository } from './metrics.repository.js';
import { createNotificationChannelsRepository } from './notification-channels.repository.js';
import { createNotificationDeliveriesRepository } from './notification-deliveries.repository.js';
import { createNotificationGroupsRepository } from './notification-groups.repository.js';
import { createOnboardingRepository } from './onboarding.repository.js';
import { createPortReservationsRepository } from './port-reservations.repository.js';
import { createProjectsRepository } from './projects.repository.js';
import { createReleasesRepository } from './releases.repository.js';
import { createRoutesRepository } from './routes.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createSettingsRepository } from './settings.repository.js';
import { createUsersRepository } from './users.repository.js';
import { createWebauthnCredentialsRepository } from './webauthn-credentials.repository.js';

/** Every repository over one Kysely handle, and `transaction(fn)` for writes that stand or fall together. */
export function createRepositories(root: Kysely<Database>) {
  const { db, transaction, afterCommit } = createTransactor(root);
  return {
    transaction,
    afterCommit,
    users: createUsersRepository(db),
    sessions: createSessionsRepository(db),
    loginTokens: createLoginTokensRepository(db),
    apiTokens: createApiTokensRepository(db),
    settings: createSettingsRepository(db),
    onboarding: createOnboardingRepository(db),
    audit: createAuditRepository(db),
    portReservations: createPortReservationsRepository(db),
    projects: createProjectsRepository(db),
    routes: createRoutesRepository(db),
    jobs: createJobsRepository(db),
    jobLogs: createJobLogsRepository(db),
    backups: createBackupsRepository(db),
    webauthnCredentials: createWebauthnCredentialsRepository(db),
    notificationChannels: createNotificationChannelsRepository(db),
    notificationDeliveries: createNotificationDeliveriesRepository(db),
    notificationGroups: createNotificationGroupsRepository(db),
    metrics: createMetricsRepository(db),
    metricThresholds: createMetricThresholdsRepository(db),
    hookDeliveries: createHookDeliveriesRepository(db),
    deployHooks: createDeployHooksRepository(db),
    releases: createReleasesRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
