import type { Logger } from 'pino';
import type { JobRow } from '../../db/schema.js';
import { preconditionFailed, validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import { parseJson } from '../../lib/json.js';
import { createMasker } from '../../lib/log-masking.js';
import type { JobLogsRepository } from '../../repositories/job-logs.repository.js';
import type { JobsRepository } from '../../repositories/jobs.repository.js';
import { createJobContext, describeError, formatDuration } from './job-context.js';
import { createJobLogWriter, type JobLogWriter } from './job-log-writer.js';
import { type JobOutcome, outcomeOfFailure } from './job-outcome.js';
import type { JobRegistry } from './job-registry.js';
import type { LogBus } from './log-bus.js';

/** What running one job needs. */
export interface JobExecutionDeps {
  jobs: JobsRepository;
  jobLogs: JobLogsRepository;
  registry: JobRegistry;
  bus: LogBus;
  secrets: () => Promise<string[]>;
  logger: Logger;
  clock: Clock;
  baseEnv?: Record<string, string> | undefined;
  killGraceMs?: number | undefined;
  /** Lines a job may store (default 50k). */
  maxLogLines?: number | undefined;
  /** Hears every job that reached its final state (the runner's `onFinished` listeners). */
  onFinished?: ((job: JobRow) => void) | undefined;
}

/** Write the last line, store the outcome and tell live subscribers; the row is only changed while running. */
export async function finishJob(
  deps: Pick<JobExecutionDeps, 'jobs' | 'bus' | 'clock' | 'onFinished'>,
  jobId: string,
  writer: JobLogWriter,
  outcome: JobOutcome & { result?: unknown },
  lastLine: string,
): Promise<void> {
  for (const line of outcome.details) writer.write('system', line);
  writer.write('system', lastLine);
  await writer.flush(); // lines first: a finished row means its whole log is stored
  const stored = await deps.jobs.finish(jobId, {
    status: outcome.status,
    result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
    error: outcome.error ? JSON.stringify(outcome.error) : null,
    finishedAt: deps.clock.now().toISOString(),
  });
  const row = await deps.jobs.get(jobId);
  if (stored && row) {
    deps.bus.publish(jobId, { type: 'status', job: row });
    deps.bus.publish(jobId, { type: 'end', job: row });
    deps.onFinished?.(row);
  }
}

/** Run one claimed job: validate input, call its handler with a context, record the outcome. */
export async function executeJob(
  deps: JobExecutionDeps,
  row: JobRow,
  signal: AbortSignal,
  onWriter: (writer: JobLogWriter) => void,
): Promise<void> {
  const logger = deps.logger.child({ jobId: row.id, jobType: row.type });
  const masker = createMasker(await deps.secrets());
  const writer = createJobLogWriter({
    jobId: row.id,
    lastSeq: await deps.jobLogs.lastSeq(row.id),
    repo: deps.jobLogs,
    bus: deps.bus,
    masker,
    clock: deps.clock,
    logger,
    ...(deps.maxLogLines ? { maxLines: deps.maxLogLines } : {}),
  });
  onWriter(writer);
  deps.bus.publish(row.id, { type: 'status', job: row });
  const started = performance.now();
  writer.write('system', `Job ${row.type} started`);

  let outcome: JobOutcome & { result?: unknown };
  try {
    const def = deps.registry.get(row.type);
    if (!def) throw preconditionFailed(`no handler is registered for job type ${row.type}`);
    const parsed = def.input.safeParse(parseJson(row.input, {}));
    if (!parsed.success) {
      throw validationError(
        'job input is invalid',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const job = { id: row.id, type: row.type, projectId: row.project_id, actor: row.actor };
    const ctx = createJobContext({
      job,
      input: parsed.data,
      signal,
      writer,
      masker,
      logger,
      baseEnv: deps.baseEnv,
      killGraceMs: deps.killGraceMs,
    });
    const value = await def.handler(ctx);
    outcome = { status: 'succeeded', error: null, details: [], result: masker.maskValue(value ?? null) };
  } catch (err) {
    outcome = outcomeOfFailure(err, signal, masker);
    if (outcome.status === 'failed') logger.warn({ err: masker.mask(describeError(err)) }, 'job failed');
  }
  const took = formatDuration(performance.now() - started);
  const last =
    outcome.status === 'succeeded'
      ? `Job succeeded in ${took}`
      : outcome.status === 'canceled'
        ? `Job canceled after ${took}`
        : outcome.status === 'interrupted'
          ? `Job interrupted after ${took}: ${outcome.error?.message}`
          : `Job failed after ${took}: ${outcome.error?.code} ${outcome.error?.message}`;
  await finishJob(deps, row.id, writer, outcome, last);
}
