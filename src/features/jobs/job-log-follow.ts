import type { JobRow } from '../../db/schema.js';
import type { JobLogsRepository } from '../../repositories/job-logs.repository.js';
import type { JobsRepository } from '../../repositories/jobs.repository.js';
import type { JobEvent, JobLogLine, LogBus } from './log-bus.js';

/** Where a followed log goes (an SSE stream, a test collector). */
export interface FollowSink {
  log(line: JobLogLine): void;
  status(job: JobRow): void;
  /** The job finished and every line was sent; the sink should close. */
  end(job: JobRow): void;
  /** Whether the sink keeps up; when it does not, live lines stop and are re-read from the table later. */
  canTake(): boolean;
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
// Live events held while catching up; past this the catch-up reads the table again.
const LIVE_LIMIT = 20_000;

const isFinished = (row: JobRow) => row.status !== 'queued' && row.status !== 'running';

/**
 * Send a job's log after `after`: replay from the table, then follow live, each seq exactly once and
 * in order. Subscribing first, then snapshotting unstored lines, then reading the table leaves no
 * gap: a line is either in the snapshot, stored before the read, or published after the subscription.
 * A sink that falls behind is not buffered for: live lines pause, and once it drained the same
 * catch-up reads what it missed from the table — so a slow client never holds the job's output in
 * memory and never slows the job. Returns a function that stops following.
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
  let stopped = false;
  let lastStatus: string | null = null;

  const sendLine = (line: JobLogLine) => {
    if (line.seq <= last) return;
    last = line.seq;
    sink.log(line);
  };
  const sendStatus = (job: JobRow) => {
    lastStatus = job.status;
    sink.status(job);
  };
  const finish = (job: JobRow) => {
    if (ended) return;
    ended = true;
    stop();
    if (lastStatus !== job.status) sendStatus(job);
    sink.end(job);
  };
  /** Deliver in direct mode; false when the sink fell behind (the event is then left to the catch-up). */
  const deliver = (event: JobEvent): boolean => {
    if (ended || sink.closed) return true;
    if (event.type === 'log') {
      if (event.line.seq <= last) return true;
      if (!sink.canTake()) return false;
      sendLine(event.line);
    } else if (event.type === 'status') sendStatus(event.job);
    else finish(event.job);
    return true;
  };
  const lag = (rest: JobEvent[]) => {
    direct = false;
    live = rest;
    void catchUp(false);
  };
  const unsubscribe = deps.bus.subscribe(jobId, (event) => {
    if (direct) {
      if (!deliver(event)) lag([event]);
    } else if (live.length < LIVE_LIMIT) live.push(event);
    else overflow = true;
  });
  function stop() {
    stopped = true;
    unsubscribe();
  }

  async function catchUp(first: boolean): Promise<void> {
    let finishedRow: JobRow | null = null;
    do {
      if (!first && !(await sink.ready())) return stop();
      overflow = false;
      live = [];
      const snapshot = deps.pendingLines(jobId);
      const row = await deps.jobs.get(jobId);
      if (!row) return stop();
      if (first) sendStatus(row);
      first = false;
      for (;;) {
        const page = await deps.jobLogs.listAfter(jobId, last, PAGE);
        for (const r of page) sendLine({ seq: r.seq, ts: r.ts, stream: r.stream, text: r.text });
        if (page.length < PAGE) break;
        if (!(await sink.ready())) return stop();
      }
      for (let i = 0; i < snapshot.length; i++) {
        sendLine(snapshot[i]!);
        // Unstored lines can be many when the database lags: pace them like table pages.
        if (i % PAGE === PAGE - 1 && !(await sink.ready())) return stop();
      }
      finishedRow = isFinished(row) ? row : null;
    } while (overflow && !sink.closed && !stopped);
    if (stopped || sink.closed) return;
    direct = true;
    const held = live;
    live = [];
    for (let i = 0; i < held.length; i++) {
      if (!deliver(held[i]!)) return lag(held.slice(i));
    }
    if (finishedRow) finish(finishedRow);
  }

  await catchUp(true);
  return stop;
}
