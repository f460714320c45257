import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Name of the marker a serving panel keeps in its data dir. */
export const RUN_MARKER_NAME = 'warp.pid';
/** How often the serving panel touches its marker; a marker older than 3 beats is stale. */
const HEARTBEAT_MS = 10_000;
const STALE_MS = 3 * HEARTBEAT_MS;

/** What the marker holds (JSON). */
export interface RunMarker {
  pid: number;
  hostname: string;
  port: number;
  startedAt: string;
}

/**
 * Write `<dataDir>/warp.pid` and keep its mtime fresh while the panel serves; `stop()` removes it.
 * The heartbeat makes the marker readable from another PID namespace (a second container on the same
 * data volume), where the pid alone says nothing.
 */
export function holdRunMarker(dataDir: string, port: number): { stop(): void } {
  const file = path.join(dataDir, RUN_MARKER_NAME);
  const marker: RunMarker = {
    pid: process.pid,
    hostname: os.hostname(),
    port,
    startedAt: new Date().toISOString(),
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(marker)}\n`);
  const timer = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // Removed by hand: write it again.
      fs.writeFileSync(file, `${JSON.stringify(marker)}\n`);
    }
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      try {
        const current = JSON.parse(fs.readFileSync(file, 'utf8')) as RunMarker;
        if (current.pid === marker.pid && current.hostname === marker.hostname) fs.rmSync(file);
      } catch {
        // already gone
      }
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The marker of a panel serving from this data dir, or null. Running means: the marker was touched
 * within the last 30 s and, when it was written on this host (same hostname, so the same PID
 * namespace), its process is alive. A crash leaves a marker that goes stale on its own.
 */
export function runningPanel(dataDir: string, now: Date = new Date()): RunMarker | null {
  const file = path.join(dataDir, RUN_MARKER_NAME);
  let marker: RunMarker;
  let mtime: number;
  try {
    mtime = fs.statSync(file).mtimeMs;
    marker = JSON.parse(fs.readFileSync(file, 'utf8')) as RunMarker;
  } catch {
    return null;
  }
  if (now.getTime() - mtime > STALE_MS) return null;
  if (marker.hostname === os.hostname()) {
    if (marker.pid === process.pid || !pidAlive(marker.pid)) return null;
  }
  return marker;
}
