#!/usr/bin/env node
import { stdout } from 'node:process';
import { createApp } from './app.js';
import { createBackupService } from './cli/backup.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { createLogger } from './lib/logger.js';
import { serve } from './main.js';
import { readVersion } from './version.js';

const USAGE = `Usage: warp-panel <command>

Commands:
  serve           start the panel (default)
  login-token     print a new single-use login token (valid 15 minutes)
  migrate         apply database migrations and exit
  backup <file>   write a backup archive (database, secret key, manifest) to <file>
  restore <file>  restore a backup archive into the data dir (stop the panel first)
`;

const print = (line: string) => stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === '--help' || command === '-h' || command === 'help') {
    print(USAGE);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'serve':
      await serve(config, logger, print);
      return -1; // keep running
    case 'migrate': {
      const db = await openDatabase(config.databaseUrl);
      const applied = await migrateToLatest(db);
      await db.close();
      print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    case 'login-token': {
      const app = await createApp({ config, logger: createLogger('warn') });
      const { token, expiresAt } = await app.services.auth.issueLoginToken('cli');
      await app.close();
      print(token);
      process.stderr.write(`valid until ${expiresAt}; sign in at ${config.publicUrl}\n`);
      return 0;
    }
    case 'backup':
    case 'restore': {
      const file = argv[1];
      if (!file) {
        process.stderr.write(`${command} needs a file name\n\n${USAGE}`);
        return 2;
      }
      const backups = createBackupService({ config, version: readVersion() });
      const result = command === 'backup' ? await backups.backup(file) : await backups.restore(file);
      const { engine, migrations } = result.manifest;
      print(
        `${command === 'backup' ? 'backup written to' : 'restored from'} ${result.file} (${engine}, migrations: ${migrations.join(', ') || 'none'})`,
      );
      for (const note of result.notes) print(note);
      return 0;
    }
    default:
      process.stderr.write(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? error.message
        : `warp-panel: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
);
