import type { JobRow } from '../../db/schema.js';
import { createMasker } from '../../lib/log-masking.js';
import { executeJob, finishJob, type JobExecutionDeps } from './job-execution.js';
import { createJobLogWriter, type JobLogWriter } from './job-log-writer.js';
import { canceledError, crashError, shutdownError } from './job-outcome.js';
import type { JobLogLine } from './log-bus.js';

/** Runner settings besides what a job execution needs. */
export interface JobRunnerDeps extends JobExecutionDeps {
  /** Jobs running at once in this process (config.jobConcurrency). */
  concurrency: number;
  /** Fallback poll for queued jobs; enqueue wakes the runner at once. */
  pollMs?: number;
  /**
   * Runs after crash recovery and before the first claim, with the jobs just marked interrupted, so
   * their owners can clean up what a cut-off attempt left (deploy flows: containers, reservations).
   */
  onRecovered?: (interrupted: JobRow[]) => Promise<void>;
}

interface ActiveJob {
  controller: AbortController;
  writer: JobLogWriter | null;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The job runner: claims queued jobs atomically (one per project at a time, `concurrency` overall),
 * runs them, cancels them, recovers after a crash and stops gracefully.
 */
export function createJobRunner(runnerDeps: JobRunnerDeps) {
  // Listeners of finished jobs (notifications): the jobs feature knows nothing about who listens.
  const finishedListeners = new Set<(job: JobRow) => void>();
  const deps: JobRunnerDeps = {
    ...runnerDeps,
    onFinished: (job) => {
      for (const fn of finishedListeners) {
        try {
          fn(job);
        } catch (err) {
          runnerDeps.logger.error({ err, jobId: job.id }, 'a finished-job listener failed');
        }
      }
    },
  };
  const active = new Map<string, ActiveJob>();
  // Cancels that arrive between a claim and its launch (the row is running but not yet in `active`).
  const earlyCancels = new Set<string>();
  let started = false;
  let stopping = false;
  let pumping = false;
  let again = false;
  let poll: NodeJS.Timeout | null = null;

  function launch(row: Parameters<typeof executeJob>[1]): void {
    const controller = new AbortController();
    const entry: ActiveJob = { controller, writer: null, done: Promise.resolve() };
    active.set(row.id, entry);
    if (earlyCancels.delete(row.id)) controller.abort(canceledError());
    entry.done = executeJob(deps, row, controller.signal, (w) => {
      entry.writer = w;
    })
      .catch((err: unknown) => deps.logger.error({ err, jobId: row.id }, 'job bookkeeping failed'))
      .finally(() => {
        active.delete(row.id);
        wake();
      });
  }

  async function pump(): Promise<void> {
    pumping = true;
    try {
      do {
        again = false;
        while (active.size < deps.concurrency && !stopping) {
          const row = await deps.jobs.claimNext(deps.clock.now().toISOString());
          if (!row) break;
          launch(row);
        }
      } while (again && !stopping);
    } catch (err) {
      deps.logger.error({ err }, 'claiming jobs failed; retrying at the next poll');
    } finally {
      pumping = false;
    }
  }

  /** Look for runnable jobs now (called by enqueue, at job end and by the poll). */
  function wake(): void {
    if (!started || stopping) return;
    if (pumping) {
      again = true;
      return;
    }
    void pump();
  }

  /** Mark jobs left `running` by a previous process as interrupted, saying why in their log. */
  async function recover(): Promise<JobRow[]> {
    const rows = await deps.jobs.listRunning();
    for (const row of rows) {
      const writer = createJobLogWriter({
        jobId: row.id,
        lastSeq: await deps.jobLogs.lastSeq(row.id),
        repo: deps.jobLogs,
        bus: deps.bus,
        masker: createMasker(),
        clock: deps.clock,
        logger: deps.logger,
      });
      const error = crashError();
      await finishJob(
        deps,
        row.id,
        writer,
        { status: 'interrupted', error: { code: error.code, message: error.message }, details: [] },
        `Job interrupted: ${error.message}; it was not resumed (start it again if needed)`,
      );
    }
    if (rows.length > 0) deps.logger.warn({ count: rows.length }, 'marked jobs left running as interrupted');
    return rows;
  }

  return {
    /** Recover, then start claiming (idempotent). Register job types before calling this. */
    async start(): Promise<void> {
      if (started) return;
      started = true;
      stopping = false;
      const interrupted = await recover();
      if (deps.onRecovered && interrupted.length > 0) {
        await deps
          .onRecovered(interrupted)
          .catch((err: unknown) => deps.logger.error({ err }, 'cleaning up after interrupted jobs failed'));
      }
      poll = setInterval(wake, deps.pollMs ?? 2000);
      poll.unref();
      wake();
    },
    wake,
    /** Hear every job that finished here (succeeded, failed, canceled while running, interrupted). */
    onFinished(fn: (job: JobRow) => void): () => void {
      finishedListeners.add(fn);
      return () => finishedListeners.delete(fn);
    },
    /** The process logger the runner writes to. */
    logger: deps.logger,
    /** Abort a job running here; false when it is not running in this process. */
    cancel(jobId: string): boolean {
      const entry = active.get(jobId);
      if (!entry) {
        earlyCancels.add(jobId);
        setTimeout(() => earlyCancels.delete(jobId), 10_000).unref();
        return false;
      }
      if (!entry.controller.signal.aborted) entry.controller.abort(canceledError());
      return true;
    },
    /** Lines of a running job not yet stored (replay reads these after the table). */
    pendingLines: (jobId: string): JobLogLine[] => active.get(jobId)?.writer?.pending() ?? [],
    isRunning: (jobId: string) => active.has(jobId),
    activeCount: () => active.size,
    /**
     * Stop claiming, give running jobs `graceMs` to finish, then abort them (they end `interrupted`)
     * and wait a little more for their process trees to die.
     */
    async stop(opts: { graceMs?: number; abortWaitMs?: number } = {}): Promise<void> {
      if (!started) return;
      stopping = true;
      if (poll) clearInterval(poll);
      poll = null;
      while (pumping) await sleep(5); // a claim in flight still launches its job; wait for it
      const all = () => Promise.all([...active.values()].map((a) => a.done));
      await Promise.race([all(), sleep(opts.graceMs ?? 10_000)]);
      for (const entry of active.values()) {
        if (!entry.controller.signal.aborted) entry.controller.abort(shutdownError());
      }
      await Promise.race([all(), sleep(opts.abortWaitMs ?? (deps.killGraceMs ?? 5000) + 2000)]);
      // Handlers that ignore their signal: record them as interrupted anyway.
      for (const [jobId, entry] of active) {
        if (!entry.writer) continue;
        const error = shutdownError();
        await finishJob(
          deps,
          jobId,
          entry.writer,
          { status: 'interrupted', error: { code: error.code, message: error.message }, details: [] },
          `Job interrupted: ${error.message}`,
        ).catch((err: unknown) => deps.logger.error({ err, jobId }, 'marking job interrupted failed'));
      }
      started = false;
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
