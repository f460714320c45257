import type { z } from 'zod';
import type { JobRow } from '../../db/schema.js';
import { conflict, notFound, validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { parseJson } from '../../lib/json.js';
import { createMasker, type Masker } from '../../lib/log-masking.js';
import { type Page, toPage } from '../../lib/paging.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { JobLogsRepository } from '../../repositories/job-logs.repository.js';
import type { JobQuery, JobsRepository } from '../../repositories/jobs.repository.js';
import type { AuditService } from '../audit/index.js';
import { type FollowSink, followJobLog } from './job-log-follow.js';
import { createJobLogWriter } from './job-log-writer.js';
import type { JobError } from './job-outcome.js';
import type { JobRegistry } from './job-registry.js';
import type { JobRunner } from './job-runner.js';
import type { JobDefinition } from './job-types.js';
import type { JobLogLine, LogBus } from './log-bus.js';

/** API.md's Job. */
export interface Job {
  id: string;
  type: string;
  /** A sentence for people: what this job does ("Deploy draw.example.com (quick service)"). */
  title: string;
  status: JobRow['status'];
  projectId: string | null;
  input: unknown;
  result: unknown;
  error: JobError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  actor: string | null;
  cancelRequested: boolean;
}

/** What the jobs service is built from. */
export interface JobsServiceDeps {
  jobs: JobsRepository;
  jobLogs: JobLogsRepository;
  registry: JobRegistry;
  runner: JobRunner;
  bus: LogBus;
  audit: AuditService;
  settings: { secrets(): Promise<string[]> };
  clock: Clock;
  /** Runs a callback once the caller's transaction committed (at once outside one). */
  afterCommit: (fn: () => void) => void;
}

/** Map a row to the API shape, masking every known secret in input, result and error. */
export function toJob(row: JobRow, masker: Masker): Job {
  return {
    id: row.id,
    type: row.type,
    title: row.title ?? fallbackTitle(row.type),
    status: row.status,
    projectId: row.project_id,
    input: masker.maskValue(parseJson(row.input, {})),
    result: masker.maskValue(parseJson(row.result, null)),
    error: masker.maskValue(parseJson<JobError | null>(row.error, null)),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    actor: row.actor,
    cancelRequested: row.cancel_requested === 1,
  };
}

/** A title for a job enqueued without one (and for rows older than titles): its type, in words. */
export function fallbackTitle(type: string): string {
  const words = type.replace(/[_-]+/g, ' ').trim();
  return words ? `${words[0]!.toUpperCase()}${words.slice(1)}` : 'Job';
}

/** Whether a job can no longer change. */
export const isFinishedStatus = (status: JobRow['status']): boolean =>
  status !== 'queued' && status !== 'running';

/** Jobs: enqueue (validated, audited), read, follow logs and cancel. */
export function createJobsService(deps: JobsServiceDeps) {
  // One masker per set of secrets: streams share it (and so can share serialised frames).
  let current: { key: string; masker: Masker } | null = null;
  const masker = async (): Promise<Masker> => {
    const secrets = await deps.settings.secrets();
    const key = secrets.join('\u0000');
    if (current?.key !== key) current = { key, masker: createMasker(secrets) };
    return current.masker;
  };

  async function load(id: string): Promise<JobRow> {
    const row = await deps.jobs.get(id);
    if (!row) throw notFound('job');
    return row;
  }

  /** After a queued job was canceled: its last log line, the live `status`/`end` events, a wake-up. */
  async function endCanceled(id: string, line: string): Promise<void> {
    const writer = createJobLogWriter({
      jobId: id,
      lastSeq: await deps.jobLogs.lastSeq(id),
      repo: deps.jobLogs,
      bus: deps.bus,
      masker: createMasker(),
      clock: deps.clock,
      logger: deps.runner.logger,
    });
    writer.write('system', line);
    await writer.flush();
    const canceled = await load(id);
    deps.bus.publish(id, { type: 'status', job: canceled });
    deps.bus.publish(id, { type: 'end', job: canceled });
    deps.runner.wake(); // a later job of the same project may run now
  }

  return {
    /**
     * Drop a job that still waits in the queue (it never starts), saying why in its log; false when it
     * already started or finished (then it is left alone). Audited as `job.cancel`.
     */
    async dropQueued(ctx: RequestContext, id: string, reason: string): Promise<boolean> {
      const row = await load(id);
      if (row.status !== 'queued') return false;
      if (!(await deps.jobs.cancelQueued(id, deps.clock.now().toISOString(), null))) return false;
      await endCanceled(id, reason);
      await deps.audit.record(ctx, 'job.cancel', {
        target: id,
        projectId: row.project_id,
        details: { reason },
      });
      return true;
    },

    /** Register a job type (before the runner starts, so queued jobs of that type can run). */
    register<S extends z.ZodType>(def: JobDefinition<S>): void {
      deps.registry.register(def);
    },

    /** Validate `input` with the type's schema, store a queued job, wake the runner, audit `job.create`. */
    async enqueue(
      ctx: RequestContext,
      type: string,
      input: unknown,
      opts: { projectId?: string | null; title?: string } = {},
    ): Promise<Job> {
      const def = deps.registry.get(type);
      if (!def) throw validationError(`unknown job type ${type}`, [{ path: 'type', message: 'unknown' }]);
      const parsed = def.input.safeParse(input);
      if (!parsed.success) {
        throw validationError(
          'job input is invalid',
          parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'input', message: i.message })),
        );
      }
      const m = await masker();
      // Settings secrets never rest in the jobs table: handlers read them from settings when they run.
      const row: JobRow = {
        id: newId(),
        type,
        status: 'queued',
        project_id: opts.projectId ?? null,
        input: JSON.stringify(m.maskValue(input ?? {})),
        result: null,
        error: null,
        actor: ctx.actor?.login ?? null,
        request_id: ctx.requestId,
        cancel_requested: 0,
        created_at: deps.clock.now().toISOString(),
        started_at: null,
        finished_at: null,
        title: opts.title ?? fallbackTitle(type),
      };
      await deps.jobs.insert(row);
      // Inside a transaction the runner can claim the row only once it is committed.
      deps.afterCommit(() => deps.runner.wake());
      await deps.audit.record(ctx, 'job.create', {
        target: row.id,
        projectId: row.project_id,
        details: { type },
      });
      return toJob(row, m);
    },

    async list(query: JobQuery): Promise<Page<Job>> {
      const m = await masker();
      return toPage(await deps.jobs.list(query), query.limit, (r) => toJob(r, m));
    },

    async get(id: string): Promise<Job> {
      return toJob(await load(id), await masker());
    },

    /** Stored lines after `after`; `done` when the job finished and no line is left. */
    async logs(id: string, after: number, limit: number): Promise<{ lines: JobLogLine[]; done: boolean }> {
      const row = await load(id); // read first: a finished row means every line is already stored
      const rows = await deps.jobLogs.listAfter(id, after, limit + 1);
      const m = await masker();
      const lines = rows.slice(0, limit).map((r) => ({
        seq: r.seq,
        ts: r.ts,
        stream: r.stream,
        text: m.mask(r.text),
      }));
      return { lines, done: isFinishedStatus(row.status) && rows.length <= limit };
    },

    /** Follow a job's log (replay after `after`, then live); 404 when the job does not exist. */
    async follow(id: string, after: number, sink: FollowSink): Promise<() => void> {
      await load(id);
      return followJobLog(
        { jobs: deps.jobs, jobLogs: deps.jobLogs, bus: deps.bus, pendingLines: deps.runner.pendingLines },
        id,
        after,
        sink,
      );
    },

    /** A masker over the current settings secrets (for presenting jobs outside this service). */
    masker,
    /** Present a row (e.g. from a live status event) in the API shape. */
    present: toJob,

    /** Cancel: a queued job at once, a running one by aborting it (its process tree is killed). */
    async cancel(ctx: RequestContext, id: string): Promise<Job> {
      const row = await load(id);
      if (isFinishedStatus(row.status)) throw conflict(`job already finished (${row.status})`);
      const now = deps.clock.now().toISOString();
      if (row.status === 'queued' && (await deps.jobs.cancelQueued(id, now, null))) {
        await endCanceled(id, `Job canceled before it started by ${ctx.actor?.login ?? 'the panel'}`);
      } else if (await deps.jobs.requestCancel(id)) {
        deps.runner.cancel(id);
      } else {
        const current = await load(id);
        if (isFinishedStatus(current.status)) throw conflict(`job already finished (${current.status})`);
      }
      await deps.audit.record(ctx, 'job.cancel', { target: id, projectId: row.project_id });
      return toJob(await load(id), await masker());
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
