import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from './ansi.js';

describe('parseAnsi', () => {
  it('keeps plain text as one unstyled segment', () => {
    expect(parseAnsi('hello')).toEqual([
      { text: 'hello', fg: null, bg: null, bold: false, dim: false, italic: false, underline: false },
    ]);
  });

  it('applies and resets basic, bright and background colours', () => {
    const segs = parseAnsi('\x1b[31mred\x1b[0m plain \x1b[1;92;44mbold\x1b[22m thin\x1b[39;49m end');
    expect(segs.map((s) => [s.text, s.fg, s.bg, s.bold])).toEqual([
      ['red', 'p1', null, false],
      [' plain ', null, null, false],
      ['bold', 'p10', 'p4', true],
      [' thin', 'p10', 'p4', false],
      [' end', null, null, false],
    ]);
  });

  it('understands 256-colour and truecolour, and an empty reset', () => {
    const [a, b, c] = parseAnsi('\x1b[38;5;196mx\x1b[48;2;1;2;3my\x1b[mz');
    expect(a).toMatchObject({ text: 'x', fg: 'rgb(255,0,0)' });
    expect(b).toMatchObject({ text: 'y', fg: 'rgb(255,0,0)', bg: 'rgb(1,2,3)' });
    expect(c).toMatchObject({ text: 'z', fg: null, bg: null });
    expect(parseAnsi('\x1b[38;5;9mq')[0]?.fg).toBe('p9');
  });

  it('drops non-SGR escapes (cursor moves, erase line, OSC titles) without leaking control bytes', () => {
    const segs = parseAnsi('\x1b[2K\x1b[1Gstep\x1b]0;title\x07 done\x1b[?25l');
    expect(segs.map((s) => s.text).join('')).toBe('step done');
    expect(stripAnsi('\x1b[32mok\x1b[0m')).toBe('ok');
  });

  it('merges adjacent text of the same style and ignores unknown codes', () => {
    expect(parseAnsi('a\x1b[31m\x1b[31mb\x1b[5mc')).toHaveLength(2);
    expect(parseAnsi('a\x1b[31m\x1b[31mb\x1b[5mc')[1]).toMatchObject({ text: 'bc', fg: 'p1' });
  });
});
