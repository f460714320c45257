import fs from 'node:fs';
import http from 'node:http';
import type { App } from '../../src/app.js';
import type { Job } from '../../src/features/jobs/jobs.service.js';
import { type RequestContext, systemContext } from '../../src/lib/request-context.js';
import type { TestApp } from './test-app.js';

/** A request context acting as the given login (audit actor). */
export const actorContext = (login: string): RequestContext => ({
  actor: { userId: 'test-user', login, role: 'admin', via: 'token' },
  requestId: 'test-request',
  ip: '127.0.0.1',
});

export { systemContext };

/** Poll until `check` returns a value (not undefined/false); fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Wait until a job reaches one of `statuses`. */
export function waitForStatus(app: App, id: string, ...statuses: Job['status'][]): Promise<Job> {
  return waitFor(`job ${id} to be ${statuses.join('|')}`, async () => {
    const job = await app.jobs.get(id);
    return statuses.includes(job.status) ? job : undefined;
  });
}

/** A promise with its resolve exposed (handlers wait on these to stay deterministic). */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Whether a process exists and is not a zombie (signal 0 succeeds on zombies, so read /proc). */
export function isLiving(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Processes whose process group is `pgid` that are still alive (zombies excluded), from /proc. */
export function livingGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** One parsed SSE event. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** An open SSE response: its status and headers, and the events parsed so far. */
export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Everything the server sent (comments included). */
  raw(): string;
  /** Resolves once `until(events)` holds, the stream ends or `timeoutMs` passed (with what arrived). */
  wait(until: (all: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

function parseBlock(block: string): SseEvent | null {
  const ev: SseEvent = { event: 'message', id: undefined, data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') ev.event = value;
    else if (field === 'id') ev.id = value;
    else if (field === 'data') {
      ev.data = hasData ? `${ev.data}\n${value}` : value;
      hasData = true;
    }
  }
  return hasData ? ev : null;
}

/** The one SSE client of the suites: a real socket, events parsed as they arrive. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let raw = '';
      let buffer = '';
      let ended = false;
      const notify = () => {
        for (const w of [...waiters]) w();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const ev = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (ev) events.push(ev);
        }
        notify();
      });
      const finish = () => {
        ended = true;
        notify();
      };
      res.on('end', finish);
      res.on('error', finish);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        raw: () => raw,
        wait: (until, timeoutMs = 20_000) =>
          new Promise((done) => {
            const timer = setTimeout(() => check(true), timeoutMs);
            const check = (force = false) => {
              if (!force && !ended && !until(events)) return;
              clearTimeout(timer);
              waiters.delete(check);
              done(events);
            };
            waiters.add(check);
            check();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => reject(err));
  });
}

/** Collects events until `stopWhen` says so (then disconnects). */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  stopWhen: (event: SseEvent, all: SseEvent[]) => boolean,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; events: SseEvent[]; raw: string }> {
  const sse = await openSse(url, headers);
  let seen = 0;
  const stopAt = (all: SseEvent[]) => {
    for (; seen < all.length; seen++) {
      const ev = all[seen] as SseEvent;
      if (stopWhen(ev, all.slice(0, seen + 1))) return true;
    }
    return false;
  };
  await sse.wait(stopAt, 24 * 60 * 60 * 1000);
  sse.close();
  stopAt(sse.events); // the stream may have ended before `stopAt` saw its last events
  // Events after the one that stopped the read are not part of the answer.
  return { status: sse.status, headers: sse.headers, events: sse.events.slice(0, seen + 1), raw: sse.raw() };
}

/** Wait until a job has finished (any end state); returns it as the API shows it. */
export async function waitForJob(
  t: Pick<TestApp, 'app'>,
  headers: Record<string, string>,
  id: string,
  timeoutMs = 90_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.app.http.inject({ url: `/api/v1/jobs/${id}`, headers });
    const job = res.json();
    if (!['queued', 'running'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
