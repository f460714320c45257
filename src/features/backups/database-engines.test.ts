import { describe, expect, it } from 'vitest';
import {
  databaseAccess,
  detectEngine,
  dumpCommand,
  restoreCommand,
  restoredDatabaseName,
} from './database-engines.js';

describe('database engines', () => {
  it('recognises services by the official images’ variables first, then by image name', () => {
    expect(detectEngine('registry.local/acme/db:1', { POSTGRES_PASSWORD: 'x' })).toBe('postgres');
    expect(detectEngine('mariadb:11', { MYSQL_ROOT_PASSWORD: 'x' })).toBe('mariadb');
    expect(detectEngine('mysql:8', { MYSQL_DATABASE: 'a' })).toBe('mysql');
    expect(detectEngine('postgis/postgis:16-3.4', {})).toBe('postgres');
    expect(detectEngine('redis:7', { REDIS_PASSWORD: 'x' })).toBeNull();
  });

  it('reads credentials from the container env with the images’ defaults', () => {
    expect(databaseAccess('postgres:16', { POSTGRES_PASSWORD: 'pw' })).toEqual({
      engine: 'postgres',
      user: 'postgres',
      database: 'postgres',
      password: 'pw',
    });
    expect(
      databaseAccess('mysql:8', { MYSQL_DATABASE: 'shop', MYSQL_USER: 'u', MYSQL_PASSWORD: 'p' }),
    ).toEqual({
      engine: 'mysql',
      user: 'u',
      database: 'shop',
      password: 'p',
    });
    expect(databaseAccess('mysql:8', { MYSQL_ROOT_PASSWORD: 'r' })).toMatch(/MYSQL_DATABASE/);
    expect(databaseAccess('nginx', {})).toMatch(/not a recognised database/);
  });

  it('never puts a password into argv', () => {
    const pg = databaseAccess('postgres', { POSTGRES_PASSWORD: 'hunter2secret' });
    const my = databaseAccess('mariadb', { MARIADB_DATABASE: 'd', MARIADB_ROOT_PASSWORD: 'hunter2secret' });
    for (const a of [pg, my]) {
      if (typeof a === 'string') throw new Error(a);
      for (const c of [dumpCommand(a), restoreCommand(a)]) {
        expect(c.cmd.join(' ')).not.toContain('hunter2secret');
        expect(Object.values(c.env)).toContain('hunter2secret');
      }
    }
    expect(dumpCommand(my as Exclude<typeof my, string>).cmd[0]).toBe('mariadb-dump');
  });

  it('names a restored database safely', () => {
    expect(restoredDatabaseName('app-db', '0190c3f1-aaaa-7bbb-8ccc-1234567890ab')).toBe(
      'app_db_restored_567890ab',
    );
  });
});
