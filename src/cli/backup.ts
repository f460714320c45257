import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.schema.js';
import { openDatabase } from '../db/database.js';
import { migrations } from '../db/migrations/index.js';
import { conflict, preconditionFailed, validationError } from '../domain/errors.js';
import { KEY_FILE_NAME, loadSecretKey } from '../lib/secret-box.js';
import { packArchive, unpackArchive } from './backup-archive.js';
import { runningPanel } from './run-marker.js';

/** `manifest.json` inside a backup archive. */
export interface BackupManifest {
  format: 'warp-panel-backup';
  formatVersion: 1;
  createdAt: string;
  panelVersion: string;
  engine: 'sqlite' | 'postgres';
  /** Migrations applied to the backed-up database. */
  migrations: string[];
  /** `file`: secret.key is in the archive; `env`: the key came from WARP_SECRET_KEY (not stored). */
  secretKey: 'file' | 'env';
  /** A one-way fingerprint of the key, to tell before restoring whether secrets will decrypt. */
  keyFingerprint: string;
}

/** What a backup or restore did, for the CLI to print (paths and names only, never secrets). */
export interface BackupResult {
  file: string;
  manifest: BackupManifest;
  notes: string[];
}

const DB_NAME = 'warp.db';
const MANIFEST = 'manifest.json';
const PG_NOTE =
  'PostgreSQL: the archive holds the secret key and the manifest only. Dump the database with ' +
  '`pg_dump --format=custom --file warp.pgdump "$WARP_DATABASE_URL"` (restore: ' +
  '`pg_restore --clean --if-exists --no-owner --dbname "$WARP_DATABASE_URL" warp.pgdump`), keep both together.';

const fingerprint = (key: Buffer) =>
  createHash('sha256').update('warp-panel key fingerprint\0').update(key).digest('hex').slice(0, 16);

const sqliteFile = (url: string) => url.replace(/^sqlite:/, '');
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

async function appliedMigrations(databaseUrl: string): Promise<string[]> {
  const db = await openDatabase(databaseUrl);
  try {
    const rows = await db.kysely
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .orderBy('name' as never)
      .execute();
    return rows.map((r) => (r as { name: string }).name);
  } finally {
    await db.close();
  }
}

/** Consistent online backups of the panel (SQLite file + secret key) and refusing restores over a live panel. */
export function createBackupService(deps: { config: Config; version: string }) {
  const { config } = deps;
  const engine = /^postgres(ql)?:\/\//.test(config.databaseUrl) ? 'postgres' : 'sqlite';
  const keyFile = path.join(config.dataDir, KEY_FILE_NAME);

  async function backup(file: string): Promise<BackupResult> {
    const target = path.resolve(file);
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-backup-'));
    try {
      const names = [MANIFEST];
      if (engine === 'sqlite') {
        const source = sqliteFile(config.databaseUrl);
        if (!fs.existsSync(source)) throw preconditionFailed(`no database at ${source}`);
        const { default: SQLite } = await import('better-sqlite3');
        const db = new SQLite(source, { fileMustExist: true });
        try {
          // SQLite's online backup API: a consistent copy while the panel keeps writing.
          await db.backup(path.join(staging, DB_NAME));
        } finally {
          db.close();
        }
        names.push(DB_NAME);
      }
      const migrated = await appliedMigrations(
        engine === 'sqlite' ? `sqlite:${path.join(staging, DB_NAME)}` : config.databaseUrl,
      );
      if (!config.secretKey) {
        if (!fs.existsSync(keyFile)) throw preconditionFailed(`no secret key file at ${keyFile}`);
        fs.copyFileSync(keyFile, path.join(staging, KEY_FILE_NAME));
        fs.chmodSync(path.join(staging, KEY_FILE_NAME), 0o600);
        names.push(KEY_FILE_NAME);
      }
      const manifest: BackupManifest = {
        format: 'warp-panel-backup',
        formatVersion: 1,
        createdAt: new Date().toISOString(),
        panelVersion: deps.version,
        engine,
        migrations: migrated,
        secretKey: config.secretKey ? 'env' : 'file',
        keyFingerprint: fingerprint(loadSecretKey(config.secretKey, config.dataDir)),
      };
      fs.writeFileSync(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      await packArchive(target, staging, names);
      const notes = [];
      if (engine === 'postgres') notes.push(PG_NOTE);
      if (config.secretKey)
        notes.push('The key comes from WARP_SECRET_KEY and is not in the archive: keep it with the backup.');
      else notes.push('The archive holds the secret key (mode 0600): store it like a password.');
      return { file: target, manifest, notes };
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  return { backup, restore: createRestore({ config, engine, keyFile }) };
}

function readManifest(dir: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw validationError('not a Warp Panel backup (no readable manifest.json)');
  }
  if (manifest.format !== 'warp-panel-backup' || manifest.formatVersion !== 1)
    throw validationError('not a Warp Panel backup of a known format');
  const unknown = manifest.migrations.filter((m) => !(m in migrations));
  if (unknown.length)
    throw validationError(
      `the backup is from a newer Warp Panel (unknown migrations: ${unknown.join(', ')})`,
    );
  return manifest;
}

/** Move `file` (and its SQLite -wal/-shm companions) aside; returns the names it was moved to. */
function moveAside(file: string, suffix: string): string[] {
  const moved: string[] = [];
  for (const ext of ['', '-wal', '-shm']) {
    if (!fs.existsSync(file + ext)) continue;
    fs.renameSync(file + ext, `${file}${suffix}${ext}`);
    moved.push(`${file}${suffix}${ext}`);
  }
  return moved;
}

function createRestore(deps: { config: Config; engine: 'sqlite' | 'postgres'; keyFile: string }) {
  const { config, engine, keyFile } = deps;
  return async function restore(file: string): Promise<BackupResult> {
    const live = runningPanel(config.dataDir);
    if (live)
      throw conflict(
        `a panel is serving from ${config.dataDir} (pid ${live.pid} on ${live.hostname}, port ${live.port}): stop it before restoring`,
      );
    const source = path.resolve(file);
    if (!fs.existsSync(source)) throw validationError(`no backup at ${source}`);
    fs.mkdirSync(config.dataDir, { recursive: true });
    // Unpack next to the data so the final renames stay on one file system.
    const staging = fs.mkdtempSync(path.join(config.dataDir, '.restore-'));
    try {
      const names = await unpackArchive(source, staging, [MANIFEST, DB_NAME, KEY_FILE_NAME]);
      const manifest = readManifest(staging);
      if (manifest.engine !== engine)
        throw validationError(
          `the backup is of a ${manifest.engine} panel, this one is configured for ${engine}`,
        );
      // The key the panel will use after the restore must be the backup's, or no secret decrypts.
      const hasKeyFile = names.includes(KEY_FILE_NAME);
      const key = config.secretKey
        ? loadSecretKey(config.secretKey, config.dataDir)
        : hasKeyFile
          ? Buffer.from(fs.readFileSync(path.join(staging, KEY_FILE_NAME), 'utf8').trim(), 'hex')
          : null;
      if (!key)
        throw preconditionFailed(
          'the backup was made with WARP_SECRET_KEY: set it to the same key before restoring',
        );
      if (fingerprint(key) !== manifest.keyFingerprint)
        throw preconditionFailed(
          config.secretKey
            ? 'WARP_SECRET_KEY is not the key of the backup: saved secrets would not decrypt'
            : "the key file in the backup does not match the backup's fingerprint",
        );
      const suffix = `.pre-restore-${stamp()}`;
      const notes: string[] = [];
      if (engine === 'sqlite') {
        if (!names.includes(DB_NAME)) throw validationError('the backup holds no database');
        const restored = path.join(staging, DB_NAME);
        const { default: SQLite } = await import('better-sqlite3');
        const check = new SQLite(restored, { fileMustExist: true });
        const result = check.pragma('integrity_check', { simple: true });
        check.close();
        if (result !== 'ok') throw validationError(`the backup's database is damaged: ${String(result)}`);
        const target = sqliteFile(config.databaseUrl);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const moved = moveAside(target, suffix);
        fs.copyFileSync(restored, `${target}.restoring`);
        fs.renameSync(`${target}.restoring`, target);
        if (moved.length) notes.push(`the previous database was kept as ${moved[0]}`);
      } else notes.push(PG_NOTE);
      if (!config.secretKey && hasKeyFile) {
        const current = fs.existsSync(keyFile) ? fs.readFileSync(keyFile) : null;
        const incoming = fs.readFileSync(path.join(staging, KEY_FILE_NAME));
        if (!current?.equals(incoming)) {
          if (current) {
            fs.renameSync(keyFile, `${keyFile}${suffix}`);
            notes.push(`the previous key file was kept as ${keyFile}${suffix}`);
          }
          fs.writeFileSync(keyFile, incoming, { mode: 0o600 });
        }
      }
      return { file: source, manifest, notes };
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  };
}

/** The backup service's API (`backup(file)`, `restore(file)`). */
export type BackupService = ReturnType<typeof createBackupService>;
