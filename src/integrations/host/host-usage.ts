import fs from 'node:fs/promises';
import os from 'node:os';

/** Cumulative CPU time of the whole host (jiffies): busy and total. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat text; null when it is missing. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Host CPU times from /proc/stat, else from os.cpus() (not Linux). */
export async function readCpuTimes(): Promise<CpuTimes> {
  try {
    const parsed = parseProcStat(await fs.readFile('/proc/stat', 'utf8'));
    if (parsed) return parsed;
  } catch {
    // fall through
  }
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Host CPU % (0-100 of all cores) between two readings; null when they cannot be compared. */
export function hostCpuPercent(prev: CpuTimes | null, cur: CpuTimes): number | null {
  if (!prev) return null;
  const total = cur.total - prev.total;
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, ((cur.busy - prev.busy) / total) * 100));
}

/** Used and total bytes of the file system holding `dir`; null when it cannot be read here. */
export async function diskUsage(dir: string): Promise<{ used: number; total: number } | null> {
  try {
    const st = await fs.statfs(dir);
    const total = st.blocks * st.bsize;
    // Used = what an unprivileged writer can no longer use (blocks reserved for root count as used).
    return { used: total - st.bavail * st.bsize, total };
  } catch {
    return null;
  }
}
