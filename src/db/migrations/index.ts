import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as projectStatus from './0005-project-status.js';

/** Migrations in order; forward-only. Bundled statically so the build needs no file globbing. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0005-project-status': projectStatus,
};

/** Kysely provider over the static list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
