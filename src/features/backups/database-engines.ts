/**
 * Recognised database services and how to dump and load them inside their own container. Pure:
 * decided from the container's image and environment (the official images' variables), so the
 * credentials are the ones the service itself was started with.
 */

/** A database engine the panel can dump. */
export type DatabaseEngine = 'postgres' | 'mysql' | 'mariadb';

/** Everything needed to run the dump and restore programs in the service container. */
export interface DatabaseAccess {
  engine: DatabaseEngine;
  user: string;
  database: string;
  /** Passed as PGPASSWORD / MYSQL_PWD in the program's environment, never in argv. */
  password: string | null;
}

/** A program to run in the container: argv plus its environment. */
export interface DbCommand {
  cmd: string[];
  env: Record<string, string>;
}

const imageName = (image: string) => (image.split('@')[0] ?? '').split('/').pop()?.split(':')[0] ?? '';

/** Which engine a container runs, from its env first (official images' variables), then its image name. */
export function detectEngine(image: string, env: Record<string, string>): DatabaseEngine | null {
  const has = (prefix: string) => Object.keys(env).some((k) => k.startsWith(prefix));
  if (has('POSTGRES_')) return 'postgres';
  if (has('MARIADB_')) return 'mariadb';
  if (has('MYSQL_')) return imageName(image).includes('mariadb') ? 'mariadb' : 'mysql';
  const name = imageName(image);
  if (/postgres|postgis|timescale/.test(name)) return 'postgres';
  if (name.includes('mariadb')) return 'mariadb';
  if (name.includes('mysql')) return 'mysql';
  return null;
}

/** Credentials and database name of a recognised service, or a reason it cannot be dumped. */
export function databaseAccess(image: string, env: Record<string, string>): DatabaseAccess | string {
  const engine = detectEngine(image, env);
  if (!engine) return 'not a recognised database service (PostgreSQL, MySQL or MariaDB)';
  if (engine === 'postgres') {
    const user = env.POSTGRES_USER || 'postgres';
    return { engine, user, database: env.POSTGRES_DB || user, password: env.POSTGRES_PASSWORD || null };
  }
  const v = (name: string) => env[`MARIADB_${name}`] || env[`MYSQL_${name}`] || '';
  const database = v('DATABASE');
  if (!database)
    return 'set MYSQL_DATABASE (or MARIADB_DATABASE) on the service: the dump needs a database name';
  const root = v('ROOT_PASSWORD');
  if (root) return { engine, user: 'root', database, password: root };
  if (v('USER')) return { engine, user: v('USER'), database, password: v('PASSWORD') || null };
  return { engine, user: 'root', database, password: null };
}

const pgEnv = (a: DatabaseAccess): Record<string, string> => (a.password ? { PGPASSWORD: a.password } : {});
const myEnv = (a: DatabaseAccess): Record<string, string> => (a.password ? { MYSQL_PWD: a.password } : {});
const myBin = (a: DatabaseAccess, tool: 'dump' | 'client') =>
  a.engine === 'mariadb'
    ? tool === 'dump'
      ? 'mariadb-dump'
      : 'mariadb'
    : tool === 'dump'
      ? 'mysqldump'
      : 'mysql';

/** The dump as SQL text on stdout (drops and recreates what it contains, so it loads over live data). */
export function dumpCommand(a: DatabaseAccess): DbCommand {
  if (a.engine === 'postgres') {
    return {
      cmd: [
        'pg_dump',
        '--username',
        a.user,
        '--dbname',
        a.database,
        '--clean',
        '--if-exists',
        '--no-password',
      ],
      env: pgEnv(a),
    };
  }
  return {
    cmd: [myBin(a, 'dump'), '--user', a.user, '--single-transaction', '--routines', '--triggers', a.database],
    env: myEnv(a),
  };
}

/** Load a dump from stdin into `database` (default: the service's own) in one transaction where possible. */
export function restoreCommand(a: DatabaseAccess, database = a.database): DbCommand {
  if (a.engine === 'postgres') {
    return {
      cmd: [
        'psql',
        '--username',
        a.user,
        '--dbname',
        database,
        '--no-password',
        '--quiet',
        '--set',
        'ON_ERROR_STOP=1',
        '--single-transaction',
      ],
      env: pgEnv(a),
    };
  }
  return { cmd: [myBin(a, 'client'), '--user', a.user, database], env: myEnv(a) };
}

/** Create an empty database `name` next to the service's own (restores "into new"). */
export function createDatabaseCommand(a: DatabaseAccess, name: string): DbCommand {
  if (a.engine === 'postgres') {
    return { cmd: ['createdb', '--username', a.user, '--no-password', name], env: pgEnv(a) };
  }
  return {
    cmd: [myBin(a, 'client'), '--user', a.user, '--execute', `CREATE DATABASE \`${name}\``],
    env: myEnv(a),
  };
}

/** A command that succeeds once the server accepts connections (after a restart). */
export function readyCommand(a: DatabaseAccess): DbCommand {
  if (a.engine === 'postgres') {
    return { cmd: ['pg_isready', '--username', a.user, '--dbname', a.database], env: {} };
  }
  return { cmd: [myBin(a, 'client'), '--user', a.user, '--execute', 'SELECT 1', a.database], env: myEnv(a) };
}

/** Name of a new database for a restore "into new": only letters, digits and underscores. */
export const restoredDatabaseName = (database: string, runId: string): string =>
  `${database.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_restored_${runId.replace(/-/g, '').slice(-8)}`;
