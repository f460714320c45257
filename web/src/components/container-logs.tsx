import { useCallback, useMemo, useRef, useState } from 'react';
import type { ContainerLogLine } from '../api/types.js';
import { appendCapped } from '../lib/log-buffer.js';
import { type StreamState, useEventSource } from '../lib/use-event-source.js';
import { LogView } from './log-view.js';

/** What to follow: one container (by id), a project, or every running container. */
export type LogTarget =
  | { kind: 'container'; id: string; name: string }
  | { kind: 'project'; id: string }
  | { kind: 'all' };

const urlOf = (t: LogTarget): string =>
  t.kind === 'container'
    ? `/api/v1/containers/logs/stream?id=${encodeURIComponent(t.id)}`
    : t.kind === 'project'
      ? `/api/v1/containers/logs/stream?projectId=${encodeURIComponent(t.id)}`
      : '/api/v1/containers/logs/stream';

/** One SSE connection feeding the shared view. */
function Source({
  target,
  onLine,
  onState,
}: {
  target: LogTarget;
  onLine: (l: ContainerLogLine) => void;
  onState: (k: string, s: StreamState) => void;
}) {
  const key = urlOf(target);
  const state = useEventSource(key, { log: (d) => onLine(d as ContainerLogLine) });
  const last = useRef<StreamState | null>(null);
  if (last.current !== state) {
    last.current = state;
    queueMicrotask(() => onState(key, state));
  }
  return null;
}

const hue = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);

/** Live logs of one or many containers, interleaved in arrival order with a coloured name prefix. */
export function ContainerLogs({ targets }: { targets: LogTarget[] }) {
  const [lines, setLines] = useState<(ContainerLogLine & { n: number })[]>([]);
  const [states, setStates] = useState<Record<string, StreamState>>({});
  const counter = useRef(0);
  const pending = useRef<(ContainerLogLine & { n: number })[]>([]);
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
  const view = useMemo(
    () =>
      lines.map((l) => ({
        key: l.n,
        text: l.text,
        stream: l.stream,
        prefix: (
          <span className="log-prefix" style={{ color: `hsl(${hue(l.containerName)} 60% 55%)` }}>
            {l.containerName} │{' '}
          </span>
        ),
      })),
    [lines],
  );
  const live = Object.values(states);
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
  return (
    <>
      {targets.map((t) => (
        <Source key={urlOf(t)} target={t} onLine={onLine} onState={onState} />
      ))}
      <LogView
        lines={view}
        label="Container logs"
        status={<span data-testid="container-stream-state">{summary}</span>}
      />
    </>
  );
}
