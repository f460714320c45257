import { StringDecoder } from 'node:string_decoder';

/** One log line as the API shows it. */
export interface LogLine {
  ts: string | null;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** A partial line longer than this is emitted as is, so one endless line cannot grow memory. */
const MAX_PARTIAL = 64 * 1024;
const TS_PREFIX = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?/;

function lineSplitter(stream: LogLine['stream'], timestamps: boolean, emit: (line: LogLine) => void) {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const out = (raw: string) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = timestamps ? TS_PREFIX.exec(text) : null;
    emit(m ? { ts: m[1] ?? null, stream, text: text.slice(m[0].length) } : { ts: null, stream, text });
  };
  return {
    push(bytes: Buffer) {
      partial += decoder.write(bytes);
      let nl = partial.indexOf('\n');
      while (nl !== -1) {
        out(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
      if (partial.length > MAX_PARTIAL) {
        out(partial);
        partial = '';
      }
    },
    end() {
      partial += decoder.end();
      if (partial !== '') out(partial);
      partial = '';
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
    while (pending.length >= 8) {
      const type = pending[0] as number;
      if (type > 2 || pending[1] !== 0 || pending[2] !== 0 || pending[3] !== 0) {
        raw = true;
        stdout.push(pending);
        pending = Buffer.alloc(0);
        return;
      }
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) return;
      (type === 2 ? stderr : stdout).push(pending.subarray(8, 8 + size));
      pending = pending.subarray(8 + size);
    }
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
