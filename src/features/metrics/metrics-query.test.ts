import { describe, expect, it } from 'vitest';
import { planRange } from './metrics-query.js';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const H = 3600_000;

describe('range planning', () => {
  it('reads raw samples for short steps in the last 24 h, about 300 points by default', () => {
    expect(planRange(NOW, { from: NOW - H, to: NOW })).toEqual({
      from: NOW - H,
      to: NOW,
      stepMs: 12_000,
      source: 'raw',
    });
    expect(planRange(NOW, { from: NOW - 24 * H, to: NOW }).source).toBe('raw');
    // "The last 24 h" from a browser whose clock read a moment earlier.
    expect(planRange(NOW, { from: NOW - 24 * H - 50 }).source).toBe('raw');
  });

  it('reads 5-minute buckets for long ranges, older data or coarse steps, on whole buckets', () => {
    const week = planRange(NOW, { from: NOW - 7 * 24 * H, to: NOW });
    expect(week.source).toBe('buckets');
    expect(week.stepMs % 300_000).toBe(0);
    expect((week.to - week.from) / week.stepMs).toBeLessThanOrEqual(301);
    expect(planRange(NOW, { from: NOW - 26 * H, to: NOW - 25 * H, step: 15 })).toMatchObject({
      source: 'buckets',
      stepMs: 300_000,
    });
  });

  it('never returns more than 2,000 points, and refuses an empty range', () => {
    const p = planRange(NOW, { from: NOW - 24 * H, to: NOW, step: 1 });
    expect((p.to - p.from) / p.stepMs).toBeLessThanOrEqual(2001);
    expect(() => planRange(NOW, { from: NOW, to: NOW })).toThrow(/invalid range/);
  });
});
