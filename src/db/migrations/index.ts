import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as notificationsMetrics from './0008-notifications-metrics.js';

/** Migrations in order; forward-only. Bundled statically so the build needs no file globbing. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0008-notifications-metrics': notificationsMetrics,
};

/** Kysely provider over the static list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
