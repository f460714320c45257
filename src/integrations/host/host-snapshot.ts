import fs from 'node:fs/promises';
import os from 'node:os';

/** CPU, memory, load and data-dir disk of the host, as `GET /api/v1/system/host` shows it. */
export interface HostSnapshot {
  cpus: number;
  memoryTotal: number;
  memoryAvailable: number;
  load: [number, number, number];
  disk: { path: string; total: number; free: number };
}

/** `MemTotal` and `MemAvailable` (bytes) from /proc/meminfo text; null when a field is missing. */
export function parseMeminfo(text: string): { total: number; available: number } | null {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = field('MemTotal');
  const available = field('MemAvailable');
  return total === null || available === null ? null : { total, available };
}

async function memory(): Promise<{ total: number; available: number }> {
  try {
    const parsed = parseMeminfo(await fs.readFile('/proc/meminfo', 'utf8'));
    if (parsed) return parsed;
  } catch {
    // Not Linux: fall back below.
  }
  // os.freemem() excludes page cache on some systems; only used where /proc is absent.
  return { total: os.totalmem(), available: os.freemem() };
}

/** Read the host snapshot; memory available is MemAvailable (page cache counts as available). */
export async function readHostSnapshot(dataDir: string): Promise<HostSnapshot> {
  const [mem, st] = await Promise.all([memory(), fs.statfs(dataDir)]);
  const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
  return {
    cpus: os.availableParallelism(),
    memoryTotal: mem.total,
    memoryAvailable: mem.available,
    load: [l1, l5, l15],
    // bavail: blocks free to unprivileged users, what a deploy can actually use.
    disk: { path: dataDir, total: st.blocks * st.bsize, free: st.bavail * st.bsize },
  };
}
