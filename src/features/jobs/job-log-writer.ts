import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import { type Masker, truncateLine } from '../../lib/log-masking.js';
import type { JobLogsRepository } from '../../repositories/job-logs.repository.js';
import type { JobLogLine, LogBus } from './log-bus.js';

/** Lines a job may store; one more line says the log was cut. */
export const MAX_JOB_LOG_LINES = 50_000;

/** Options of a job's log writer. */
export interface JobLogWriterOptions {
  jobId: string;
  /** The seq of the last line already stored (0 for a new job). */
  lastSeq: number;
  repo: JobLogsRepository;
  bus: LogBus;
  masker: Masker;
  clock: Clock;
  logger: Logger;
  maxLines?: number;
  /** Flush a batch this long after its first line… */
  flushMs?: number;
  /** …or as soon as it holds this many lines. */
  flushLines?: number;
}

/** Writes a job's lines: mask, truncate, number, publish live, store in ordered batches. */
export interface JobLogWriter {
  /** Store a line; `dropped` counts characters a splitter already cut from its end. */
  write(stream: JobLogLine['stream'], text: string, dropped?: number): void;
  /** Lines written but not yet committed, in seq order (for replay without gaps). */
  pending(): JobLogLine[];
  /** A promise to wait on when too many lines wait for the database (producers pause), else undefined. */
  pressure(): Promise<void> | undefined;
  /** Wait until every line written so far is stored. */
  flush(): Promise<void>;
  readonly lastSeq: number;
}

/** A log writer for one job run. */
export function createJobLogWriter(opts: JobLogWriterOptions): JobLogWriter {
  const maxLines = opts.maxLines ?? MAX_JOB_LOG_LINES;
  const flushMs = opts.flushMs ?? 5;
  const flushLines = opts.flushLines ?? 1000;
  // Past this many unstored lines a child's output is paused until the database caught up.
  const maxBacklog = flushLines * 10;
  let seq = opts.lastSeq;
  let capped = seq >= maxLines;
  let buffer: JobLogLine[] = [];
  let inflight: JobLogLine[] = [];
  let timer: NodeJS.Timeout | null = null;
  // Batches are stored one after another so seq order holds in the table at all times.
  let chain: Promise<void> = Promise.resolve();
  // A store is queued or running; it loops until the buffer is empty, so one is enough.
  let busy = false;

  const store = async () => {
    try {
      while (buffer.length > 0) {
        inflight = buffer;
        buffer = [];
        try {
          await opts.repo.insertMany(opts.jobId, inflight);
        } catch (err) {
          opts.logger.error(
            { err, jobId: opts.jobId, lines: inflight.length },
            'storing job log lines failed',
          );
        }
        inflight = [];
      }
    } finally {
      busy = false;
    }
  };

  const kick = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (busy) return;
    busy = true;
    chain = chain.then(store);
  };

  const schedule = (now: boolean) => {
    if (busy) return;
    if (now) kick();
    else if (!timer) timer = setTimeout(kick, flushMs);
  };

  const append = (stream: JobLogLine['stream'], text: string) => {
    seq += 1;
    const line: JobLogLine = { seq, ts: opts.clock.now().toISOString(), stream, text };
    buffer.push(line);
    opts.bus.publish(opts.jobId, { type: 'log', line });
    schedule(buffer.length >= flushLines);
  };

  return {
    write(stream, text, dropped = 0) {
      if (capped) return;
      if (seq >= maxLines) {
        capped = true;
        append('system', `log limit of ${maxLines} lines reached; later output of this job is not kept`);
        return;
      }
      // NUL cannot be stored in PostgreSQL text; show it as U+FFFD instead of losing the line.
      const clean = text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
      append(stream, truncateLine(opts.masker.mask(clean), undefined, dropped));
    },
    pending: () => [...inflight, ...buffer],
    pressure: () => (buffer.length + inflight.length > maxBacklog ? chain : undefined),
    async flush() {
      if (buffer.length > 0) kick();
      await chain;
    },
    get lastSeq() {
      return seq;
    },
  };
}
