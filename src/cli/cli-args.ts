import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command line the user got wrong: exit 2 with the usage on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One subcommand: its usage text, its options (besides --help/--version) and its positional arguments. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Names of the positional arguments it needs, in order. */
  positionals?: string[];
}

/** What a parsed command line asks for. */
export type Parsed =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; values: Record<string, string | boolean | undefined>; positionals: string[] };

const COMMON = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/**
 * Parse a subcommand's arguments strictly: `--help` / `--version` anywhere win and never act; unknown
 * flags, missing or extra positionals are usage errors.
 */
export function parseCommand(spec: CommandSpec, args: string[]): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...COMMON, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // --help next to a bad flag still only shows help.
    if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
    // Node's text goes on about `--`; the first sentence is the point.
    const first = (error as Error).message.split(/\.\s/)[0] ?? 'invalid arguments';
    throw new UsageError(`${spec.name}: ${first.replace(/^Unknown option/, 'unknown option')}`);
  }
  if (parsed.values.help) return { kind: 'help' };
  if (parsed.values.version) return { kind: 'version' };
  const wanted = spec.positionals ?? [];
  if (parsed.positionals.length < wanted.length) {
    throw new UsageError(
      `${spec.name} needs ${wanted
        .slice(parsed.positionals.length)
        .map((p) => `<${p}>`)
        .join(' ')}`,
    );
  }
  if (parsed.positionals.length > wanted.length) {
    throw new UsageError(
      `${spec.name} takes no argument ${JSON.stringify(parsed.positionals[wanted.length])}`,
    );
  }
  const { help: _h, version: _v, ...values } = parsed.values;
  return {
    kind: 'run',
    values: values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}
