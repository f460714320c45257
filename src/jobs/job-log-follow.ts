import type { JobRow } from '../db/schema.js';
import type { JobLogsRepository } from '../repositories/job-logs.repository.js';
import type { JobsRepository } from '../repositories/jobs.repository.js';
import type { JobEvent, JobLogLine, LogBus } from './log-bus.js';

/** Where a followed log goes (an SSE stream, a test collector). */
export interface FollowSink {
  log(line: JobLogLine): void;
  status(job: JobRow): void;
  /** The job finished and every line was sent; the sink should close. */
  end(job: JobRow): void;
  /** Resolves when the sink can take more (true) or has closed (false). */
  ready(): Promise<boolean>;
  readonly closed: boolean;
}

/** What following a log needs. */
export interface FollowDeps {
  jobs: JobsRepository;
  jobLogs: JobLogsRepository;
  bus: LogBus;
  /** Lines of a running job written but not yet stored. */
  pendingLines(jobId: string): JobLogLine[];
}

const PAGE = 1000;
// Live events held while the table is replayed; past this the replay starts over from the table.
const LIVE_LIMIT = 20_000;

const isFinished = (row: JobRow) => row.status !== 'queued' && row.status !== 'running';

/**
 * Send a job's log after `after`: replay from the table, then follow live, each seq exactly once and
 * in order. Subscribing first, then snapshotting unstored lines, then reading the table leaves no
 * gap: a line is either in the snapshot, stored before the read, or published after the subscription.
 * Returns a function that stops following.
 */
export async function followJobLog(
  deps: FollowDeps,
  jobId: string,
  after: number,
  sink: FollowSink,
): Promise<() => void> {
  let last = after;
  let live: JobEvent[] = [];
  let overflow = false;
  let direct = false;
  let ended = false;

  const sendLine = (line: JobLogLine) => {
    if (line.seq <= last) return;
    last = line.seq;
    sink.log(line);
  };
  const finish = (job: JobRow) => {
    if (ended) return;
    ended = true;
    unsubscribe();
    sink.end(job);
  };
  const deliver = (event: JobEvent) => {
    if (ended || sink.closed) return;
    if (event.type === 'log') sendLine(event.line);
    else if (event.type === 'status') sink.status(event.job);
    else finish(event.job);
  };
  const unsubscribe = deps.bus.subscribe(jobId, (event) => {
    if (direct) deliver(event);
    else if (live.length < LIVE_LIMIT) live.push(event);
    else overflow = true;
  });

  let first = true;
  let finishedRow: JobRow | null = null;
  do {
    overflow = false;
    live = [];
    const snapshot = deps.pendingLines(jobId);
    const row = await deps.jobs.get(jobId);
    if (!row) {
      unsubscribe();
      return () => {};
    }
    if (first) sink.status(row);
    first = false;
    for (;;) {
      const page = await deps.jobLogs.listAfter(jobId, last, PAGE);
      for (const r of page) sendLine({ seq: r.seq, ts: r.ts, stream: r.stream, text: r.text });
      if (page.length < PAGE) break;
      if (!(await sink.ready())) {
        unsubscribe();
        return () => {};
      }
    }
    for (const line of snapshot) sendLine(line);
    finishedRow = isFinished(row) ? row : null;
  } while (overflow && !sink.closed);

  direct = true;
  for (const event of live) deliver(event);
  live = [];
  if (finishedRow) finish(finishedRow);
  return unsubscribe;
}
