import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { AnsiText } from './ansi-text.js';

/** A line to show: a stable key, optional prefix (container name, timestamp) and its raw text. */
export interface ViewLine {
  key: string | number;
  text: string;
  stream?: string;
  prefix?: ReactNode;
}

/**
 * A terminal-like log pane. It follows new lines while the user is at the bottom; scrolling up pauses the
 * follow (a "Jump to latest" button resumes it), so reading old output is never yanked away.
 */
export function LogView({ lines, label, status }: { lines: ViewLine[]; label: string; status?: ReactNode }) {
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
        <span className="muted small">{lines.length} lines</span>
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
        {lines.map((l) => (
          <div
            key={l.key}
            className={`logline${l.stream === 'stderr' ? ' stderr' : l.stream === 'system' ? ' system' : ''}`}
          >
            {l.prefix}
            <AnsiText text={l.text} />
          </div>
        ))}
      </div>
    </div>
  );
}
