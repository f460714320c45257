#!/usr/bin/env node
import { stderr, stdout } from 'node:process';
import { parseCommand, UsageError } from './cli/cli-args.js';
import { COMMANDS, mainUsage } from './cli/commands.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { readVersion } from './version.js';

const out = (line: string) => stdout.write(`${line}\n`);
const err = (line: string) => stderr.write(`${line}\n`);

/** `warp-panel [command] [options]`: help and version never act; a wrong command line exits 2. */
async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) {
    // No command: `--help`/`--version` answer; anything else runs `serve` with those arguments.
    if (first === '--help' || first === '-h' || first === 'help') return show(mainUsage());
    if (first === '--version' || first === '-V') return show(readVersion());
  }
  if (first === 'help') {
    const about = COMMANDS.find((c) => c.name === argv[1]);
    return show(about ? about.usage : mainUsage());
  }
  const command =
    first === undefined || first.startsWith('-') ? COMMANDS[0]! : COMMANDS.find((c) => c.name === first);
  if (!command) throw new UsageError(`unknown command: ${first}`);
  const rest = first === undefined || first.startsWith('-') ? argv : argv.slice(1);
  const parsed = parseCommand(command, rest);
  if (parsed.kind === 'help') return show(`${command.usage}\n\n${optionsHelp()}`);
  if (parsed.kind === 'version') return show(readVersion());
  let config: ReturnType<typeof loadConfig> | null = null;
  return command.run({ config: () => (config ??= loadConfig()), out, err }, parsed.positionals);
}

const optionsHelp = () =>
  'Options:\n  -h, --help      show this help and exit\n  -V, --version   print the version and exit';

function show(text: string): number {
  out(text);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      err(`warp-panel: ${error.message}\n\n${mainUsage()}`);
      process.exit(2);
    }
    err(
      error instanceof ConfigError
        ? `warp-panel: configuration is invalid:\n${error.message}`
        : `warp-panel: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
