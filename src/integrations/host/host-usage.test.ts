import { describe, expect, it } from 'vitest';
import { hostCpuPercent, parseProcStat } from './host-usage.js';

describe('host CPU', () => {
  it('reads the aggregate cpu line of /proc/stat (iowait is idle, steal is busy)', () => {
    const text = 'cpu  100 10 50 800 20 5 5 10 0 0\ncpu0 50 5 25 400 10 2 3 5 0 0\nintr 1 2 3\n';
    expect(parseProcStat(text)).toEqual({ busy: 180, total: 1000 });
    expect(parseProcStat('intr 1\n')).toBeNull();
  });

  it('turns two readings into a percentage of all cores', () => {
    expect(hostCpuPercent(null, { busy: 1, total: 2 })).toBeNull();
    expect(hostCpuPercent({ busy: 100, total: 1000 }, { busy: 350, total: 2000 })).toBe(25);
    expect(hostCpuPercent({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBeNull();
  });
});
