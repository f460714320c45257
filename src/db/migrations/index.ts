import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as leastPrivilege from './0002-least-privilege.js';
import * as swarm from './0010-swarm.js';

/** Migrations in order; forward-only. Bundled statically so the build needs no file globbing. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-least-privilege': leastPrivilege,
  '0010-swarm': swarm,
};

/** Kysely provider over the static list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
