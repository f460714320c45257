import { describe, expect, it } from 'vitest';
import { parseMeminfo } from './host-snapshot.js';
import { parseProcNetTcp } from './listening-ports.js';

describe('/proc parsers', () => {
  it('finds LISTEN sockets in /proc/net/tcp and tcp6 text', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 00000000000000000000000000000000:2329 00000000000000000000000000000000:0000 0A 0 0 0 0 0 3',
    ].join('\n');
    expect(parseProcNetTcp(tcp)).toEqual([8080, 9001]);
  });

  it('reads MemTotal and MemAvailable (not MemFree)', () => {
    const text = 'MemTotal:       16000 kB\nMemFree:          100 kB\nMemAvailable:    8000 kB\n';
    expect(parseMeminfo(text)).toEqual({ total: 16000 * 1024, available: 8000 * 1024 });
    expect(parseMeminfo('MemTotal: 1 kB\n')).toBeNull();
  });
});
