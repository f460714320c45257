import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

/** The Kysely handle plus which engine is behind it. */
export interface Db {
  kysely: Kysely<Database>;
  engine: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/**
 * Open SQLite (`sqlite:<file>`) or PostgreSQL (`postgres://…`) from a database URL. Only the driver in
 * use is loaded (each costs megabytes of memory), and nothing happens at import time.
 */
export async function openDatabase(
  url: string,
  opts: { onPoolError?: (err: Error) => void } = {},
): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    // Integers (COUNT, bigint) come back as strings from pg; parse int8 as number (our values are small).
    pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client whose server went away (restart, failover) emits 'error'; unhandled, that would
    // end the process. The pool drops that client and the next query connects again.
    pool.on('error', (err) => opts.onPoolError?.(err));
    // A checked-out client has no pool listener: a server restart between its queries (e.g. inside a
    // transaction, or between acquire and query) emitted an unhandled 'error' and killed the process.
    // With this listener the query fails, the pool discards the broken client on release, and the
    // next request connects again (test/integration/faults-postgres.test.ts).
    pool.on('connect', (client) => client.on('error', (err) => opts.onPoolError?.(err)));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, engine: 'postgres', close: () => kysely.destroy() };
  }
  const { default: SQLite } = await import('better-sqlite3');
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // The database holds sessions and encrypted secrets: owner only, the WAL and shared-memory files too.
  if (file !== ':memory:') for (const f of [file, `${file}-wal`, `${file}-shm`]) restrictToOwner(f);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, engine: 'sqlite', close: () => kysely.destroy() };
}

/** chmod 0600 when the file exists (SQLite creates the WAL and shm files lazily). */
function restrictToOwner(file: string): void {
  try {
    fs.chmodSync(file, 0o600);
  } catch {
    // not there (yet)
  }
}

/** Apply pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Node socket errors and PostgreSQL SQLSTATEs that mean "the database is not reachable right now". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Whether an error means the database is down or restarting (a retry later may work), not a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  return (typeof code === 'string' && UNREACHABLE.has(code)) || /Connection terminated/.test(message);
}
