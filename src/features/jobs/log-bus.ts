import type { JobRow } from '../../db/schema.js';

/** One stored job log line, as the API shows it. */
export interface JobLogLine {
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

/** What live subscribers of a job hear: its lines, its status changes and the end. */
export type JobEvent =
  | { type: 'log'; line: JobLogLine }
  | { type: 'status'; job: JobRow }
  | { type: 'end'; job: JobRow };

/** In-process publish/subscribe per job id; delivery is synchronous, in publish order. */
export function createLogBus() {
  const listeners = new Map<string, Set<(event: JobEvent) => void>>();
  return {
    subscribe(jobId: string, fn: (event: JobEvent) => void): () => void {
      let set = listeners.get(jobId);
      if (!set) {
        set = new Set();
        listeners.set(jobId, set);
      }
      set.add(fn);
      return () => {
        const current = listeners.get(jobId);
        current?.delete(fn);
        if (current?.size === 0) listeners.delete(jobId);
      };
    },
    publish(jobId: string, event: JobEvent): void {
      const set = listeners.get(jobId);
      if (!set) return;
      for (const fn of [...set]) fn(event);
    },
    /** Number of live subscribers of a job (for tests and metrics). */
    count: (jobId: string) => listeners.get(jobId)?.size ?? 0,
  };
}

export type LogBus = ReturnType<typeof createLogBus>;
