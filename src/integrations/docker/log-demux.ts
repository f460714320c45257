/** One log line as the API shows it. */
export interface LogLine {
  ts: string | null;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** A partial line longer than this is emitted as is, so one endless line cannot grow memory. */
const MAX_PARTIAL = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** The engine's timestamp and the space after it; sticky, so `test` finds it at 0 without a match array. */
const TS_PREFIX = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) ?/y;

/** A line with the engine's timestamp split off (when `timestamps` and it starts with one). */
function toLine(text: string, stream: LogLine['stream'], timestamps: boolean): LogLine {
  TS_PREFIX.lastIndex = 0;
  if (!timestamps || !TS_PREFIX.test(text)) return { ts: null, stream, text };
  const end = TS_PREFIX.lastIndex;
  return {
    ts: text.slice(0, text.charCodeAt(end - 1) === 0x20 ? end - 1 : end),
    stream,
    text: text.slice(end),
  };
}

/** Bytes of a UTF-8 buffer up to its last complete character (a cut never splits a character). */
function completeUtf8Length(buf: Buffer): number {
  let i = buf.length - 1;
  // Back over at most 3 continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (i > 0 && i > buf.length - 4 && ((buf[i] as number) & 0xc0) === 0x80) i--;
  const lead = buf[i] as number;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i >= need ? buf.length : i;
}

/**
 * Splits one stream's bytes into lines. Lines are cut at the newline byte before decoding: in UTF-8 no
 * byte of a multi-byte character is 0x0a, so each line decodes whole, with one `toString` per line and
 * no re-scanning of a growing string (the live stream runs this for every line the engine sends).
 */
function lineSplitter(stream: LogLine['stream'], timestamps: boolean, emit: (line: LogLine) => void) {
  let partial: Buffer | null = null;
  const out = (buf: Buffer, start: number, end: number) => {
    const text = buf.toString('utf8', start, end > start && buf[end - 1] === 0x0d ? end - 1 : end);
    emit(toLine(text, stream, timestamps));
  };
  return {
    push(bytes: Buffer) {
      const buf: Buffer = partial ? Buffer.concat([partial, bytes]) : bytes;
      partial = null;
      let start = 0;
      let nl = buf.indexOf(0x0a, start);
      while (nl !== -1) {
        out(buf, start, nl);
        start = nl + 1;
        nl = buf.indexOf(0x0a, start);
      }
      if (start === buf.length) return;
      let rest = buf.subarray(start);
      if (rest.length > MAX_PARTIAL) {
        const whole = completeUtf8Length(rest);
        out(rest, 0, whole);
        rest = rest.subarray(whole);
        if (rest.length === 0) return;
      }
      // Copied: `bytes` may be a view into a larger chunk that should not stay alive for this tail.
      partial = Buffer.from(rest);
    },
    end() {
      if (partial) out(partial, 0, partial.length);
      partial = null;
    },
  };
}

/**
 * Parses an engine log stream into lines. Without a TTY the engine multiplexes: frames with an
 * 8-byte header `[type,0,0,0,size:uint32be]` (1 stdout, 2 stderr, 0 stdin-as-stdout); with a TTY the
 * bytes are raw stdout. A header that does not look like one switches to raw, as docker-modem does.
 */
export function createLogParser(opts: { tty: boolean; timestamps: boolean }, emit: (line: LogLine) => void) {
  const stdout = lineSplitter('stdout', opts.timestamps, emit);
  const stderr = lineSplitter('stderr', opts.timestamps, emit);
  let raw = opts.tty;
  let pending: Buffer = Buffer.alloc(0);

  function drainFrames() {
    let at = 0;
    while (pending.length - at >= 8) {
      const type = pending[at] as number;
      if (type > 2 || pending[at + 1] !== 0 || pending[at + 2] !== 0 || pending[at + 3] !== 0) {
        raw = true;
        stdout.push(pending.subarray(at));
        pending = EMPTY;
        return;
      }
      const size = pending.readUInt32BE(at + 4);
      if (pending.length - at < 8 + size) break;
      (type === 2 ? stderr : stdout).push(pending.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    pending = at === pending.length ? EMPTY : pending.subarray(at);
  }

  return {
    push(chunk: Buffer): void {
      if (raw) {
        stdout.push(chunk);
        return;
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      drainFrames();
    },
    end(): void {
      if (pending.length > 0) stdout.push(pending);
      pending = Buffer.alloc(0);
      stdout.end();
      stderr.end();
    },
  };
}

/** Parse a whole (non-follow) log body into lines. */
export function parseLogBuffer(body: Buffer, opts: { tty: boolean; timestamps: boolean }): LogLine[] {
  const lines: LogLine[] = [];
  const parser = createLogParser(opts, (l) => lines.push(l));
  parser.push(body);
  parser.end();
  return lines;
}
