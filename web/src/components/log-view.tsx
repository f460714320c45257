import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { type LogLevel, levelOf } from '../lib/log-level.js';
import { AnsiText } from './ansi-text.js';

/** A line to show: a stable key, optional prefix (container name, timestamp) and its raw text. */
export interface ViewLine {
  key: string | number;
  text: string;
  stream?: string;
  prefix?: ReactNode;
}

// Levels are read once per line text (a live view re-renders every batch; most texts repeat or stay).
const levels = new Map<string, LogLevel | null>();
function cachedLevel(text: string): LogLevel | null {
  let level = levels.get(text);
  if (level === undefined) {
    if (levels.size > 50_000) levels.clear();
    level = levelOf(text);
    levels.set(text, level);
  }
  return level;
}

/**
 * A terminal-like log pane. Lines are coloured by what they say (their level words and ANSI colours), not by
 * the stream they came on. It follows new lines while the user is at the bottom; scrolling up pauses the
 * follow (a "Jump to latest" button resumes it), so reading old output is never yanked away.
 */
export function LogView({
  lines,
  label,
  status,
  total,
  toolbar,
}: {
  lines: ViewLine[];
  label: string;
  status?: ReactNode;
  /** Lines before a filter (shows "12 of 300 lines"). */
  total?: number;
  toolbar?: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      setFollow(atBottom);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <div className="logview-wrap">
      <div className="logview-bar">
        <span>{status}</span>
        <span className="muted small" data-testid="line-count">
          {total !== undefined && total !== lines.length ? `${lines.length} of ${total}` : lines.length} lines
        </span>
        {!follow && (
          <button
            type="button"
            className="btn btn-ghost small"
            onClick={() => {
              setFollow(true);
              if (box.current) box.current.scrollTop = box.current.scrollHeight;
            }}
          >
            Paused — jump to latest ↓
          </button>
        )}
      </div>
      {toolbar && <div className="logview-tools">{toolbar}</div>}
      <div
        ref={box}
        className="logview"
        role="log"
        aria-label={label}
        aria-live="off"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log must be scrollable from the keyboard
        tabIndex={0}
        data-following={follow}
      >
        {lines.map((l) => {
          const level = cachedLevel(l.text);
          return (
            <div
              key={l.key}
              className={`logline${level ? ` lvl-${level}` : ''}${l.stream === 'system' ? ' system' : ''}`}
              data-level={level ?? undefined}
            >
              {l.prefix}
              <AnsiText text={l.text} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
