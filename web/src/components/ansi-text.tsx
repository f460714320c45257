import { memo } from 'react';
import { parseAnsi } from '../lib/ansi.js';

/** One log line rendered with its SGR colours (palette colours via theme classes, others inline). */
export const AnsiText = memo(function AnsiText({ text }: { text: string }) {
  const segments = parseAnsi(text);
  return (
    <>
      {segments.map((s, i) => {
        const cls = [
          s.fg?.startsWith('p') ? `ansi-fg-${s.fg.slice(1)}` : '',
          s.bg?.startsWith('p') ? `ansi-bg-${s.bg.slice(1)}` : '',
          s.bold ? 'ansi-bold' : '',
          s.dim ? 'ansi-dim' : '',
          s.italic ? 'ansi-italic' : '',
          s.underline ? 'ansi-underline' : '',
        ]
          .filter(Boolean)
          .join(' ');
        const style = {
          ...(s.fg && !s.fg.startsWith('p') ? { color: s.fg } : {}),
          ...(s.bg && !s.bg.startsWith('p') ? { backgroundColor: s.bg } : {}),
        };
        if (!cls && !style.color && !style.backgroundColor) return s.text;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one immutable line never reorder
          <span key={i} className={cls || undefined} style={style}>
            {s.text}
          </span>
        );
      })}
    </>
  );
});
