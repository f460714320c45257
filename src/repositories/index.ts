import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { createTransactor } from '../db/transaction.js';
import { createApiTokensRepository } from './api-tokens.repository.js';
import { createAuditRepository } from './audit.repository.js';
import { createBackupsRepository } from './backups.repository.js';
import { createJobLogsRepository } from './job-logs.repository.js';
import { createJobsRepository } from './jobs.repository.js';
import { createLoginTokensRepository } from './login-tokens.repository.js';
import { createOnboardingRepository } from './onboarding.repository.js';
import { createPortReservationsRepository } from './port-reservations.repository.js';
import { createProjectsRepository } from './projects.repository.js';
import { createReleasesRepository } from './releases.repository.js';
import { createRoutesRepository } from './routes.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createSettingsRepository } from './settings.repository.js';
import { createUsersRepository } from './users.repository.js';

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
    releases: createReleasesRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
