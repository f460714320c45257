import { useSyncExternalStore } from 'react';

// The jobs this browser tab started and has not yet seen end (kept in sessionStorage, so a reload does not
// lose them). The shell's JobWatcher polls them and shows a toast when one ends, wherever the user is.
const KEY = 'warp.watchedJobs';
const FINISHED = new Set(['succeeded', 'failed', 'canceled', 'interrupted']);
const listeners = new Set<() => void>();

function load(): string[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

let watched: string[] = load();

function save(next: string[]): void {
  watched = next;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // private mode: watching lasts for this page only
  }
  for (const l of listeners) l();
}

/** Follow a job until it ends (one that already ended is ignored). */
export function watchJob(job: { id: string; status: string }): void {
  if (FINISHED.has(job.status) || watched.includes(job.id)) return;
  save([...watched, job.id].slice(-20));
}

/** Stop following a job (it ended and its toast was shown). */
export function unwatchJob(id: string): void {
  if (watched.includes(id)) save(watched.filter((x) => x !== id));
}

/** Whether an API answer is a `202 {job}` (every long action answers so): then the job is followed. */
export function watchAccepted(data: unknown): void {
  const job = (data as { job?: { id?: unknown; status?: unknown } } | null)?.job;
  if (job && typeof job.id === 'string' && typeof job.status === 'string') {
    watchJob({ id: job.id, status: job.status });
  }
}

/** Whether a job status is final. */
export const isFinished = (status: string): boolean => FINISHED.has(status);

const subscribe = (cb: () => void) => {
  listeners.add(cb);
  return () => listeners.delete(cb);
};

/** The ids being followed, now. */
export const watchedJobs = (): string[] => watched;

/** The ids being followed, re-rendering when they change. */
export const useWatchedJobs = (): string[] => useSyncExternalStore(subscribe, watchedJobs);
