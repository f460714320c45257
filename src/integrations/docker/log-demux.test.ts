import { describe, expect, it } from 'vitest';
import { createLogParser, type LogLine, parseLogBuffer } from './log-demux.js';

const frame = (type: number, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('log demux', () => {
  it('splits multiplexed frames into stdout and stderr lines with timestamps', () => {
    const body = Buffer.concat([
      frame(1, '2026-01-02T03:04:05.123456789Z hello\n'),
      frame(2, '2026-01-02T03:04:06.000000001Z oops\n'),
    ]);
    expect(parseLogBuffer(body, { tty: false, timestamps: true })).toEqual([
      { ts: '2026-01-02T03:04:05.123456789Z', stream: 'stdout', text: 'hello' },
      { ts: '2026-01-02T03:04:06.000000001Z', stream: 'stderr', text: 'oops' },
    ]);
  });

  it('reassembles frames and UTF-8 characters split across chunks', () => {
    const lines: LogLine[] = [];
    const parser = createLogParser({ tty: false, timestamps: false }, (l) => lines.push(l));
    const bytes = Buffer.concat([frame(1, 'grüße\nsecond '), frame(1, 'half\n')]);
    for (let i = 0; i < bytes.length; i += 3) parser.push(bytes.subarray(i, i + 3));
    parser.end();
    expect(lines.map((l) => l.text)).toEqual(['grüße', 'second half']);
  });

  it('reads TTY output as raw stdout and drops carriage returns', () => {
    const body = Buffer.from('2026-01-02T03:04:05Z one\r\n2026-01-02T03:04:05Z two\r\n');
    expect(parseLogBuffer(body, { tty: true, timestamps: true })).toEqual([
      { ts: '2026-01-02T03:04:05Z', stream: 'stdout', text: 'one' },
      { ts: '2026-01-02T03:04:05Z', stream: 'stdout', text: 'two' },
    ]);
  });

  it('falls back to raw when a header is not a frame header', () => {
    expect(parseLogBuffer(Buffer.from('plain text, no frames\n'), { tty: false, timestamps: false })).toEqual(
      [{ ts: null, stream: 'stdout', text: 'plain text, no frames' }],
    );
  });

  it('emits a final line without newline and caps an endless line', () => {
    const lines: LogLine[] = [];
    const parser = createLogParser({ tty: true, timestamps: false }, (l) => lines.push(l));
    for (let i = 0; i < 10; i++) parser.push(Buffer.from('x'.repeat(10_000)));
    // Nothing held back grows past the cap (plus one chunk) before it is emitted.
    expect(lines.length).toBe(1);
    expect(lines[0]?.text.length).toBeLessThan(64 * 1024 + 10_000);
    parser.end();
    expect(lines.map((l) => l.text.length).reduce((a, b) => a + b)).toBe(100_000);
  });
});
