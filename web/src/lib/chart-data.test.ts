import { describe, expect, it } from 'vitest';
import { alignLines, formatValue, latest } from './chart-data.js';

describe('chart data', () => {
  it('aligns lines on one sorted x axis with gaps where a line has no point', () => {
    expect(
      alignLines([
        {
          label: 'a',
          points: [
            [2000, 1],
            [1000, 2],
          ],
        },
        { label: 'b', points: [[3000, 5]] },
      ]),
    ).toEqual([
      [1000, 2000, 3000],
      [2, 1, null],
      [null, null, 5],
    ]);
    expect(alignLines([])).toEqual([[]]);
  });

  it('formats values in the unit of the chart', () => {
    expect(formatValue(3.14159, '%')).toBe('3.1 %');
    expect(formatValue(42.6, '%')).toBe('43 %');
    expect(formatValue(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatValue(3 * 1024 * 1024, 'bytes/s')).toBe('3.0 MiB/s');
    expect(formatValue(null, '%')).toBe('—');
    expect(
      latest([
        {
          label: 'cpu',
          points: [
            [1, 2],
            [2, 7],
          ],
        },
      ]),
    ).toEqual([{ label: 'cpu', value: 7 }]);
  });
});
