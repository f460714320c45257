import { describe, expect, it } from 'vitest';
import { levelOf } from './log-level.js';

describe('log line levels, by what the line says', () => {
  it.each([
    ['level=error msg="connection refused"', 'error'],
    ['{"level":"warn","msg":"slow"}', 'warn'],
    ['2024-05-01T10:00:00Z [ERROR] boom', 'error'],
    ['[info] listening on :80', 'info'],
    ['warning: the "version" attribute is obsolete', 'warn'],
    ['Warning: something', 'warn'],
    ['error: pull access denied', 'error'],
    ['npm ERR! code ENOENT', 'error'],
    ['nginx: [warn] could not build optimal types_hash', 'warn'],
    ['2024/05/01 10:00:00 [notice] 1#1: start worker processes', 'info'],
    ['DEBUG cache hit', 'debug'],
    ['\x1b[33mWARN\x1b[0m disk almost full', 'warn'],
    ['time="2024" level=info msg="ok"', 'info'],
    ['2026-12-01T09:36:56Z INF Added CNAME words.example.com', 'info'],
    ['2026-12-01T09:36:56Z WRN no connection', 'warn'],
    ['2026-12-01T09:36:56Z ERR failed to serve', 'error'],
    ['✗ Run the container failed after 1.2 s: port taken', 'error'],
  ])('%s → %s', (line, level) => {
    expect(levelOf(line)).toBe(level);
  });

  it.each([
    'Pulling fs layer',
    ' Container web  Started',
    '0 errors, 0 warnings',
    'Downloading [=====>     ] 12MB/40MB',
    'the error handler is installed',
  ])('%s has no level', (line) => {
    expect(levelOf(line)).toBeNull();
  });
});
