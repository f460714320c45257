import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as leastPrivilege from './0002-least-privilege.js';
import * as releases from './0006-releases.js';
import * as backups from './0009-backups.js';

/** Migrations in order; forward-only. Bundled statically so the build needs no file globbing. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-least-privilege': leastPrivilege,
  '0006-releases': releases,
  '0009-backups': backups,
};

/** Kysely provider over the static list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
