import { stripAnsi } from './ansi.js';

/** What a log line says about itself: its level, when it names one. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVEL_OF: Record<string, LogLevel> = {
  error: 'error',
  err: 'error',
  fatal: 'error',
  panic: 'error',
  crit: 'error',
  critical: 'error',
  emerg: 'error',
  alert: 'error',
  severe: 'error',
  warn: 'warn',
  warning: 'warn',
  notice: 'info',
  info: 'info',
  information: 'info',
  debug: 'debug',
  trace: 'debug',
  // zerolog's short forms (cloudflared: "2024-05-01T10:00:00Z INF …")
  inf: 'info',
  wrn: 'warn',
  dbg: 'debug',
  verbose: 'debug',
};
const NAMES = Object.keys(LEVEL_OF).join('|');

// Where a level word is a level and not just a word in a sentence ("0 errors found" is not an error):
const STRUCTURED = new RegExp(
  `(?:\\blevel|\\blvl|"level"|"severity"|\\bseverity)\\s*[=:]\\s*"?(${NAMES})\\b`,
  'i',
);
const BRACKETED = new RegExp(`[[(<|]\\s*(${NAMES})\\s*[\\])>|:]`, 'i');
const PREFIXED = new RegExp(
  `^(?:[\\w./@-]+(?:\\[\\d+\\])?:\\s+|[\\d\\-:T.,+Z ]{8,}\\s+)?(${NAMES})\\b\\s*[:!\\-]`,
  'i',
);
const SHOUTED = /\b(ERROR|ERR|FATAL|PANIC|CRIT(?:ICAL)?|WARN(?:ING)?|WRN|INFO|INF|DEBUG|DBG|TRACE)\b/;
// The panel's own "✗ <step> failed after …" line.
const FAILED_STEP = /^✗ /;

/**
 * The level a line names — `level=error`, `[WARN]`, `warning: …`, `npm ERR!`, `ERROR` — or null. The stream
 * it came on says nothing: tools write progress to stderr, and that is not an error.
 */
export function levelOf(text: string): LogLevel | null {
  const t = stripAnsi(text).trimStart();
  if (FAILED_STEP.test(t)) return 'error';
  const m = STRUCTURED.exec(t) ?? BRACKETED.exec(t) ?? PREFIXED.exec(t);
  if (m?.[1]) return LEVEL_OF[m[1].toLowerCase()] ?? null;
  const s = SHOUTED.exec(t);
  if (s?.[1]) return LEVEL_OF[s[1].toLowerCase()] ?? null;
  return null;
}
