import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, migrateToLatest, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import type { Database } from '../../src/db/schema.js';
import { createPostgresDatabase, testEngines } from '../support/databases.js';

const released = JSON.parse(fs.readFileSync('test/fixtures/released-migrations.json', 'utf8')) as {
  releases: { version: string; migrations: { name: string; sha256: string }[] }[];
};
const names = Object.keys(migrations);
const engines = await testEngines();
/** Hash of a migration's source without whitespace: reformatting is fine, any other edit is not. */
const sourceHash = (name: string) =>
  createHash('sha256')
    .update(fs.readFileSync(`src/db/migrations/${name}.ts`, 'utf8').replace(/\s+/g, ''))
    .digest('hex');

describe('released migrations', () => {
  it('stay a prefix of the current list, unedited, in the order Kysely runs them', () => {
    const shipped = released.releases.flatMap((r) => r.migrations);
    expect(names.slice(0, shipped.length)).toEqual(shipped.map((m) => m.name));
    for (const m of shipped) expect(sourceHash(m.name), `${m.name} was edited after release`).toBe(m.sha256);
    // Kysely applies migrations sorted by name: the list must already be in that order.
    expect([...names].sort()).toEqual(names);
  });
});

type Snapshot = { migrations: string[]; schema: unknown[] };

async function snapshot(db: Db): Promise<Snapshot> {
  const k = db.kysely as unknown as Kysely<Record<string, never>>;
  const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(k);
  const schema =
    db.engine === 'sqlite'
      ? (
          await sql<{ type: string; name: string; sql: string | null }>`
            select type, name, tbl_name, sql from sqlite_master
            where name not like 'sqlite_%' order by type, name`.execute(k)
        ).rows.map((r) => ({ ...r, sql: r.sql?.replace(/\s+/g, ' ') ?? null }))
      : [
          ...(
            await sql`select table_name, column_name, ordinal_position, data_type, is_nullable, column_default
              from information_schema.columns where table_schema = 'public'
              order by table_name, ordinal_position`.execute(k)
          ).rows,
          ...(
            await sql`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'
              order by tablename, indexname`.execute(k)
          ).rows,
          ...(
            await sql`select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def
              from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`.execute(k)
          ).rows,
        ];
  return { migrations: applied.rows.map((r) => r.name), schema };
}

describe.each(engines)('migrations on %s', (engine) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  async function freshDb(): Promise<Db> {
    let url: string;
    if (engine === 'postgres') {
      const pg = await createPostgresDatabase();
      cleanups.push(pg.drop);
      url = pg.url;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-migrate-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      url = `sqlite:${path.join(dir, 'warp.db')}`;
    }
    const db = await openDatabase(url);
    cleanups.unshift(() => db.close());
    return db;
  }

  it('from an empty database and from every earlier schema, ends at the same schema', async () => {
    const fresh = await freshDb();
    expect(await migrateToLatest(fresh)).toEqual(names);
    const expected = await snapshot(fresh);
    expect(expected.migrations).toEqual(names);
    expect(expected.schema.length).toBeGreaterThan(10);
    // A database left at each earlier release (the first k migrations), then upgraded one by one.
    for (let k = 0; k < names.length; k++) {
      const db = await freshDb();
      const prefix = Object.fromEntries(names.slice(0, k).map((n) => [n, migrations[n] as Migration]));
      const old = new Migrator({
        db: db.kysely as Kysely<Database>,
        provider: { getMigrations: async () => prefix },
      });
      const first = await old.migrateToLatest();
      expect(first.error).toBeUndefined();
      for (const name of names.slice(k)) {
        const step = new Migrator({
          db: db.kysely as Kysely<Database>,
          provider: { getMigrations: async () => migrations },
        });
        const { error, results } = await step.migrateUp();
        expect(error).toBeUndefined();
        expect(results?.map((r) => r.migrationName)).toEqual([name]);
      }
      expect(await snapshot(db), `upgraded from ${k} migration(s)`).toEqual(expected);
    }
  });

  it('is a no-op on an up-to-date database', async () => {
    const db = await freshDb();
    await migrateToLatest(db);
    expect(await migrateToLatest(db)).toEqual([]);
  });
});
