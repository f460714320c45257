import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as leastPrivilege from './0002-least-privilege.js';
import * as registries from './0004-registries.js';
import * as projectStatus from './0005-project-status.js';
import * as pushToDeploy from './0007-push-to-deploy.js';
import * as notificationsMetrics from './0008-notifications-metrics.js';
import * as backups from './0009-backups.js';
import * as releases from './0010-releases.js';
import * as swarm from './0011-swarm.js';

/** Migrations in order; forward-only. Bundled statically so the build needs no file globbing. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-least-privilege': leastPrivilege,
  '0004-registries': registries,
  '0005-project-status': projectStatus,
  '0007-push-to-deploy': pushToDeploy,
  '0008-notifications-metrics': notificationsMetrics,
  '0009-backups': backups,
  '0010-releases': releases,
  '0011-swarm': swarm,
};

/** Kysely provider over the static list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
