/**
 * 0007-push-to-deploy adds `projects.branch` and `projects.auto_deploy` only when they are missing: the
 * project-settings change adds the same two columns in a migration of its own, and whichever runs first
 * wins. Both orders end with one column each, on SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, type Migration, Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { createPostgresDatabase, testEngines } from '../support/databases.js';

const names = Object.keys(migrations);
const before = names.slice(0, names.indexOf('0007-push-to-deploy'));

describe.each(await testEngines())('0007-push-to-deploy on %s', (engine) => {
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
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-p2d-migrate-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      url = `sqlite:${path.join(dir, 'warp.db')}`;
    }
    const db = await openDatabase(url);
    cleanups.unshift(() => db.close());
    return db;
  }
  const migrate = (db: Db, list: string[]) =>
    new Migrator({
      db: db.kysely as Kysely<unknown>,
      provider: {
        getMigrations: async () => Object.fromEntries(list.map((n) => [n, migrations[n] as Migration])),
      },
    }).migrateToLatest();
  const columns = async (db: Db) =>
    (await db.kysely.introspection.getTables())
      .find((t) => t.name === 'projects')!
      .columns.map((c) => c.name)
      .filter((c) => c === 'branch' || c === 'auto_deploy');

  it('adds the columns when missing', async () => {
    const db = await freshDb();
    expect((await migrate(db, names)).error).toBeUndefined();
    expect((await columns(db)).sort()).toEqual(['auto_deploy', 'branch']);
  });

  it('leaves them alone when an earlier migration added them', async () => {
    const db = await freshDb();
    expect((await migrate(db, before)).error).toBeUndefined();
    const k = db.kysely as Kysely<unknown>;
    await k.schema.alterTable('projects').addColumn('branch', 'text').execute();
    await k.schema
      .alterTable('projects')
      .addColumn('auto_deploy', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    const { error, results } = await migrate(db, names);
    expect(error).toBeUndefined();
    expect(results?.map((r) => r.migrationName)).toEqual(names.slice(before.length));
    expect((await columns(db)).sort()).toEqual(['auto_deploy', 'branch']);
  });
});
