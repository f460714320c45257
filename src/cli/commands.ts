import { createApp } from '../app.js';
import type { Config } from '../config/config.schema.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { createLogger } from '../lib/logger.js';
import { serve } from '../main.js';
import { readVersion } from '../version.js';
import { createBackupService } from './backup.js';
import { type CommandSpec, UsageError } from './cli-args.js';

/** What a command may use: the validated config, and how to print for the person at the terminal. */
export interface CommandIo {
  config: () => Config;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A subcommand: its spec (usage, options) and what it does; resolves to an exit code, or -1 to keep running. */
export interface Command extends CommandSpec {
  run(io: CommandIo, positionals: string[]): Promise<number>;
}

const fileArg = (file: string): string => {
  // `backup --help` once wrote an archive named `--help`; a name that looks like a flag is refused.
  if (file.startsWith('-'))
    throw new UsageError(`"${file}" looks like an option; to mean a file, write ./${file}`);
  return file;
};

async function backupOrRestore(io: CommandIo, which: 'backup' | 'restore', file: string): Promise<number> {
  const backups = createBackupService({ config: io.config(), version: readVersion() });
  const result =
    which === 'backup' ? await backups.backup(fileArg(file)) : await backups.restore(fileArg(file));
  const { engine, migrations } = result.manifest;
  io.out(
    `${which === 'backup' ? 'backup written to' : 'restored from'} ${result.file} (${engine}, migrations: ${migrations.join(', ') || 'none'})`,
  );
  for (const note of result.notes) io.out(note);
  return 0;
}

/** Every subcommand of `warp-panel`. */
export const COMMANDS: Command[] = [
  {
    name: 'serve',
    summary: 'start the panel (the default command)',
    usage: 'warp-panel serve\n\nStarts the panel with the configuration from the environment and .env.',
    async run(io) {
      const config = io.config();
      await serve(config, createLogger(config.logLevel, undefined, config.logFormat), io.out);
      return -1;
    },
  },
  {
    name: 'login-token',
    summary: 'print a new single-use login token (valid 15 minutes)',
    usage:
      'warp-panel login-token\n\nPrints a single-use login token for the local admin (recovery sign-in).',
    async run(io) {
      const config = io.config();
      const app = await createApp({ config, logger: createLogger('warn', undefined, config.logFormat) });
      const { token, expiresAt } = await app.services.auth.issueLoginToken('cli');
      await app.close();
      io.out(token);
      io.err(`valid until ${expiresAt}; sign in at ${config.publicUrl}`);
      return 0;
    },
  },
  {
    name: 'migrate',
    summary: 'apply database migrations and exit',
    usage: 'warp-panel migrate\n\nApplies pending database migrations, then exits.',
    async run(io) {
      const db = await openDatabase(io.config().databaseUrl);
      const applied = await migrateToLatest(db);
      await db.close();
      io.out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    },
  },
  {
    name: 'backup',
    summary: 'write a backup archive (database, secret key, manifest) to <file>',
    usage:
      'warp-panel backup <file>\n\nWrites the database, the secret key and a manifest to <file> (mode 0600).',
    positionals: ['file'],
    run: (io, [file]) => backupOrRestore(io, 'backup', file!),
  },
  {
    name: 'restore',
    summary: 'restore a backup archive into the data dir (stop the panel first)',
    usage: 'warp-panel restore <file>\n\nRestores <file> into the data dir. Stop the panel first.',
    positionals: ['file'],
    run: (io, [file]) => backupOrRestore(io, 'restore', file!),
  },
];

/** The top-level usage text. */
export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length + (c.positionals?.length ? 8 : 0)));
  const lines = COMMANDS.map((c) => {
    const head = `${c.name}${c.positionals?.length ? ` ${c.positionals.map((p) => `<${p}>`).join(' ')}` : ''}`;
    return `  ${head.padEnd(width + 2)}${c.summary}`;
  });
  return `Usage: warp-panel [command] [options]

Commands:
${lines.join('\n')}

Options (every command):
  -h, --help      show help for the command and exit
  -V, --version   print the version and exit

Run "warp-panel <command> --help" for a command's details.`;
}
