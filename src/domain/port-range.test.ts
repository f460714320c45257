import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  firstFreePort,
  inPortRange,
  isValidPort,
  parsePort,
  parsePortRange,
  portRangeSize,
} from './port-range.js';

describe('ports', () => {
  it('validates ports', () => {
    expect(isValidPort(1)).toBe(true);
    expect(isValidPort(65535)).toBe(true);
    for (const p of [0, 65536, 80.5, Number.NaN, '80', null]) expect(isValidPort(p)).toBe(false);
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort(443)).toBe(443);
    expect(() => parsePort('0x50')).toThrow(AppError);
    expect(() => parsePort(-1, 'hostPort')).toThrow(AppError);
  });

  it('parses ranges', () => {
    expect(parsePortRange('8100-8999')).toEqual({ start: 8100, end: 8999 });
    expect(parsePortRange(' 9000 - 9001 ')).toEqual({ start: 9000, end: 9001 });
    expect(parsePortRange('8100')).toEqual({ start: 8100, end: 8100 });
    for (const s of ['', '9-8', '0-10', '1-65536', 'a-b', '1-2-3', '-5']) {
      expect(() => parsePortRange(s), s).toThrow(AppError);
    }
    expect(portRangeSize({ start: 8100, end: 8999 })).toBe(900);
    expect(inPortRange({ start: 1, end: 2 }, 3)).toBe(false);
  });

  it('finds the first free port or null', () => {
    expect(firstFreePort({ start: 8100, end: 8102 }, (p) => p === 8100)).toBe(8101);
    expect(firstFreePort({ start: 8100, end: 8102 }, () => true)).toBeNull();
  });

  it('returns the lowest free port in range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65000 }),
        fc.integer({ min: 0, max: 30 }),
        fc.uniqueArray(fc.nat({ max: 40 })),
        (start, len, offsets) => {
          const range = { start, end: start + len };
          const taken = new Set(offsets.map((o) => start + o));
          const port = firstFreePort(range, (p) => taken.has(p));
          if (port === null) {
            for (let p = range.start; p <= range.end; p++) expect(taken.has(p)).toBe(true);
          } else {
            expect(inPortRange(range, port) && !taken.has(port)).toBe(true);
            for (let p = range.start; p < port; p++) expect(taken.has(p)).toBe(true);
          }
        },
      ),
    );
  });

  it('only ever throws AppError for range strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        try {
          const r = parsePortRange(s);
          expect(r.start <= r.end && isValidPort(r.start) && isValidPort(r.end)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});
