import { useCallback, useMemo, useRef, useState } from 'react';
import type { ContainerLogLine } from '../api/types.js';
import { stripAnsi } from '../lib/ansi.js';
import { appendCapped } from '../lib/log-buffer.js';
import { type StreamState, useEventSource } from '../lib/use-event-source.js';
import { LogView } from './log-view.js';

/** What to follow: one container (by id), a project, or every running container. */
export type LogTarget =
  | { kind: 'container'; id: string; name: string }
  | { kind: 'project'; id: string }
  | { kind: 'all' };

/** History sizes offered (lines per container when the stream opens; the API allows up to 1000). */
const TAILS = [100, 500, 1000];

const urlOf = (t: LogTarget, tail: number): string => {
  const q = `tail=${tail}`;
  return t.kind === 'container'
    ? `/api/v1/containers/logs/stream?id=${encodeURIComponent(t.id)}&${q}`
    : t.kind === 'project'
      ? `/api/v1/containers/logs/stream?projectId=${encodeURIComponent(t.id)}&${q}`
      : `/api/v1/containers/logs/stream?${q}`;
};

/** One SSE connection feeding the shared view. */
function Source({
  url,
  onLine,
  onState,
}: {
  url: string;
  onLine: (l: ContainerLogLine) => void;
  onState: (k: string, s: StreamState) => void;
}) {
  const state = useEventSource(url, { log: (d) => onLine(d as ContainerLogLine) });
  const last = useRef<StreamState | null>(null);
  if (last.current !== state) {
    last.current = state;
    queueMicrotask(() => onState(url, state));
  }
  return null;
}

const hue = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
type Line = ContainerLogLine & { n: number };

/** The lines as a plain-text file (no colour codes), one `[container] time text` per line. */
function download(lines: Line[], name: string, withTs: boolean): void {
  const text = lines
    .map((l) => `${withTs && l.ts ? `${l.ts} ` : ''}${l.containerName} | ${stripAnsi(l.text)}`)
    .join('\n');
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Live logs of one or many containers, interleaved in arrival order with a coloured name prefix; a filter
 * that hides the lines that do not match, timestamps on or off, how much history to load, and a download.
 */
export function ContainerLogs({ targets, name = 'logs' }: { targets: LogTarget[]; name?: string }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [states, setStates] = useState<Record<string, StreamState>>({});
  const [filter, setFilter] = useState('');
  const [timestamps, setTimestamps] = useState(false);
  const [tail, setTail] = useState(TAILS[0] as number);
  const counter = useRef(0);
  const pending = useRef<Line[]>([]);
  const frame = useRef<number | null>(null);
  // Batch lines per animation frame: a chatty container must not cause one render per line.
  const onLine = useCallback((l: ContainerLogLine) => {
    pending.current.push({ ...l, n: counter.current++ });
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      const batch = pending.current;
      pending.current = [];
      setLines((cur) => appendCapped(cur, batch));
    });
  }, []);
  const onState = useCallback(
    (k: string, s: StreamState) => setStates((o) => (o[k] === s ? o : { ...o, [k]: s })),
    [],
  );
  const needle = filter.trim().toLowerCase();
  const shown = useMemo(
    () =>
      needle
        ? lines.filter(
            (l) =>
              stripAnsi(l.text).toLowerCase().includes(needle) ||
              l.containerName.toLowerCase().includes(needle),
          )
        : lines,
    [lines, needle],
  );
  const view = useMemo(
    () =>
      shown.map((l) => ({
        key: l.n,
        text: l.text,
        stream: l.stream,
        prefix: (
          <>
            {timestamps && l.ts && (
              <time className="log-ts" dateTime={l.ts} title={l.ts}>
                {l.ts.slice(11, 23)}{' '}
              </time>
            )}
            <span className="log-prefix" style={{ color: `hsl(${hue(l.containerName)} 60% 55%)` }}>
              {l.containerName} │{' '}
            </span>
          </>
        ),
      })),
    [shown, timestamps],
  );
  const urls = targets.map((t) => urlOf(t, tail));
  const live = urls.map((u) => states[u]).filter((s): s is StreamState => Boolean(s));
  const summary =
    live.length === 0
      ? 'Connecting…'
      : live.every((s) => s === 'open')
        ? 'Live'
        : live.includes('reconnecting')
          ? 'Reconnecting…'
          : live.includes('error')
            ? 'Some streams failed'
            : 'Connecting…';
  const changeTail = (n: number) => {
    setTail(n);
    setLines([]);
  };
  return (
    <>
      {urls.map((u) => (
        <Source key={u} url={u} onLine={onLine} onState={onState} />
      ))}
      <LogView
        lines={view}
        total={lines.length}
        label="Container logs"
        status={<span data-testid="container-stream-state">{summary}</span>}
        toolbar={
          <>
            <input
              type="search"
              aria-label="Filter log lines"
              placeholder="Filter lines…"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <label className="check-label">
              <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />{' '}
              Timestamps
            </label>
            <label className="check-label">
              History
              <select
                aria-label="Lines of history"
                value={tail}
                onChange={(e) => changeTail(Number(e.target.value))}
              >
                {TAILS.map((n) => (
                  <option key={n} value={n}>
                    {n} lines
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="btn btn-ghost"
              disabled={shown.length === 0}
              onClick={() => download(shown, name, timestamps)}
            >
              Download
            </button>
          </>
        }
      />
    </>
  );
}
