import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the test PostgreSQL server is (an admin connection that may create databases). */
const ADMIN_URL = process.env.WARP_TEST_POSTGRES_URL ?? 'postgres://warp:warp@127.0.0.1:5432/postgres';
/** When set (CI), a missing PostgreSQL fails the suite instead of skipping it. */
export const POSTGRES_REQUIRED = process.env.WARP_REQUIRE_POSTGRES === '1';

let available: Promise<boolean> | undefined;

/** Whether the test PostgreSQL answers (checked once per worker). */
export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return available;
}

/** Engines to run repository tests on: SQLite always, PostgreSQL when reachable (or required). */
export async function testEngines(): Promise<('sqlite' | 'postgres')[]> {
  if (await postgresAvailable()) return ['sqlite', 'postgres'];
  if (POSTGRES_REQUIRED) throw new Error(`PostgreSQL is required but not reachable at ${ADMIN_URL}`);
  return ['sqlite'];
}

/** A fresh, empty PostgreSQL database; returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `warp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
