import type { ChildProcess } from 'node:child_process';

/** Whether any process of the group led by `pgid` still exists (zombies count until reaped). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Send a signal to a whole process group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

/**
 * Kill a detached child's process tree: SIGTERM to its group, then SIGKILL after `graceMs` if the
 * group is still there. Returns a function that cancels the pending SIGKILL.
 */
export function killTree(child: ChildProcess, graceMs: number): () => void {
  const pgid = child.pid;
  if (pgid === undefined) return () => {};
  signalGroup(pgid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  }, graceMs);
  timer.unref();
  return () => clearTimeout(timer);
}
