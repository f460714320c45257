import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_CHARS } from '../log-masking.js';

/** Splits a byte stream into lines; keeps what a terminal would show for `\r` progress output. */
export interface LineSplitter {
  push(chunk: Buffer | string): void;
  /** Emit the last partial line, if any. */
  end(): void;
}

/** Keep the text after the last carriage return (progress bars redraw the line), ignoring a CRLF's `\r`. */
function visible(line: string): string {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = body.lastIndexOf('\r');
  return cr === -1 ? body : body.slice(cr + 1);
}

/**
 * A line splitter that calls `onLine` per complete line. Memory stays bounded: a partial line keeps at
 * most twice the line limit and counts the characters it dropped (`dropped`); the log writer masks
 * secrets first and truncates after, so a cut never leaves part of a secret behind.
 */
export function createLineSplitter(
  onLine: (text: string, dropped: number) => void,
  maxChars = MAX_LINE_CHARS,
): LineSplitter {
  const decoder = new StringDecoder('utf8');
  const keep = maxChars * 2;
  let partial = '';
  let dropped = 0;

  const emit = (raw: string) => {
    onLine(visible(raw), dropped);
    dropped = 0;
  };

  const take = (text: string) => {
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      if (partial === '') emit(piece);
      else {
        emit(partial + piece);
        partial = '';
      }
      start = nl + 1;
    }
    if (start < text.length) {
      partial += text.slice(start);
      // A redraw that is not the last character replaces what came before it.
      const cr = partial.lastIndexOf('\r');
      if (cr !== -1 && cr < partial.length - 1) partial = partial.slice(cr + 1);
      if (partial.length > keep) {
        dropped += partial.length - keep;
        partial = partial.slice(0, keep);
      }
    }
  };

  return {
    push: (chunk) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
    end: () => {
      take(decoder.end());
      if (partial !== '' || dropped > 0) emit(partial);
      partial = '';
    },
  };
}
