import { describe, expect, it } from 'vitest';
import { cpuPercent, parseStats } from './container-stats.js';

describe('container stats', () => {
  it('reads cgroup v2 stats (inactive_file, lower-case blkio ops) and sums every network', () => {
    const r = parseStats({
      cpu_stats: {
        cpu_usage: { total_usage: 5_000_000_000 },
        system_cpu_usage: 100_000_000_000,
        online_cpus: 2,
      },
      memory_stats: { usage: 50_000_000, limit: 200_000_000, stats: { inactive_file: 10_000_000 } },
      networks: { eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 5, tx_bytes: 1 } },
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: 'read', value: 4096 },
          { op: 'write', value: 8192 },
          { op: 'read', value: 1 },
        ],
      },
    });
    expect(r).toMatchObject({ memUsed: 40_000_000, memLimit: 200_000_000, netRx: 105, netTx: 11 });
    expect(r).toMatchObject({ blkRead: 4097, blkWrite: 8192, onlineCpus: 2, pre: null });
  });

  it('reads cgroup v1 stats (total_inactive_file, capitalised ops, per-cpu count) and a precpu reading', () => {
    const r = parseStats({
      cpu_stats: { cpu_usage: { total_usage: 30, percpu_usage: [10, 10, 10, 0] }, system_cpu_usage: 1000 },
      precpu_stats: { cpu_usage: { total_usage: 10 }, system_cpu_usage: 600 },
      memory_stats: { usage: 900, limit: 1000, stats: { total_inactive_file: 100 } },
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: 'Read', value: 7 },
          { op: 'Total', value: 7 },
        ],
      },
    });
    expect(r).toMatchObject({ memUsed: 800, onlineCpus: 4, blkRead: 7, blkWrite: 0, netRx: 0 });
    // 20 of 400 host units on 4 CPUs: 20 % (100 % = one core).
    expect(cpuPercent(r.pre, r)).toBe(20);
  });

  it('has no CPU % without a previous reading, or when counters went backwards (a restart)', () => {
    const cur = parseStats({
      cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 100, online_cpus: 1 },
    });
    expect(cpuPercent(null, cur)).toBeNull();
    expect(cpuPercent({ cpuTotal: 50, systemCpu: 10 }, cur)).toBeNull();
    expect(cpuPercent({ cpuTotal: 0, systemCpu: 100 }, cur)).toBeNull();
    expect(cpuPercent({ cpuTotal: 0, systemCpu: 0 }, cur)).toBe(5);
  });
});
