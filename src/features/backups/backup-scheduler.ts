import { Cron } from 'croner';
import type { Logger } from 'pino';

/** A policy's two schedules, as the scheduler needs them. */
export interface ScheduledPolicy {
  projectId: string;
  schedule: string | null;
  verifySchedule: string | null;
  timezone: string;
}

/** What the scheduler fires. */
export type ScheduledWork = 'backup' | 'verify';

/**
 * Timers for every policy's backup and check schedules (croner, in the policy's time zone). A tick
 * only queues a job (the runner serialises a project's jobs); missed ticks while the panel was down
 * are not caught up. `reload()` after any policy change.
 */
export function createBackupScheduler(deps: {
  policies: () => Promise<ScheduledPolicy[]>;
  fire: (projectId: string, work: ScheduledWork) => Promise<void>;
  log: Logger;
}) {
  let jobs: Cron[] = [];
  let running = false;

  const add = (projectId: string, expr: string | null, timezone: string, work: ScheduledWork) => {
    if (!expr) return;
    try {
      const job = new Cron(expr, { timezone, protect: true, unref: true, name: `${work}:${projectId}` }, () =>
        deps.fire(projectId, work).catch((err: unknown) => {
          deps.log.error(
            { projectId, work, err: err instanceof Error ? err.message : String(err) },
            'scheduled backup work could not be queued',
          );
        }),
      );
      jobs.push(job);
    } catch (err) {
      deps.log.error(
        { projectId, expr, err: err instanceof Error ? err.message : String(err) },
        'bad backup schedule',
      );
    }
  };

  async function reload(): Promise<void> {
    if (!running) return;
    const list = await deps.policies();
    for (const job of jobs) job.stop();
    jobs = [];
    for (const p of list) {
      add(p.projectId, p.schedule, p.timezone, 'backup');
      add(p.projectId, p.verifySchedule, p.timezone, 'verify');
    }
  }

  return {
    /** Start the timers (after the job runner started). */
    async start(): Promise<void> {
      running = true;
      await reload();
    },
    reload,
    /** Names and next times of the active timers (for tests and diagnostics). */
    timers: () => jobs.map((j) => ({ name: j.name ?? '', next: j.nextRun()?.toISOString() ?? null })),
    stop(): void {
      running = false;
      for (const job of jobs) job.stop();
      jobs = [];
    },
  };
}

/** The backup scheduler. */
export type BackupScheduler = ReturnType<typeof createBackupScheduler>;
