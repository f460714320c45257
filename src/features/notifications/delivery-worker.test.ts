import { describe, expect, it } from 'vitest';
import { backoffMs } from './delivery-worker.js';

describe('delivery backoff', () => {
  it('doubles from the base delay up to the maximum, with ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 10_000, 60_000, mid))).toEqual([
      10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
    expect(backoffMs(1, 10_000, 60_000, () => 0)).toBe(8000);
    expect(backoffMs(1, 10_000, 60_000, () => 0.999999)).toBe(12_000);
  });
});
