import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;
const STDERR_KEEP = 8 * 1024;

/**
 * The Engine API's multiplexed attach/exec stream (8-byte frame headers: stream type, size) as a
 * Transform that passes stdout bytes on with backpressure and keeps the last bytes of stderr for
 * error messages. (dockerode's `demuxStream` ignores backpressure, so a fast container would make a
 * slow reader buffer a whole volume in memory.)
 */
export class StdoutDemux extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private errTail = '';
  /** Stdout bytes passed on so far. */
  bytes = 0;

  /** The last stderr text the program wrote. */
  get stderr(): string {
    return this.errTail;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    while (this.pending.length - offset >= HEADER) {
      const type = this.pending[offset] as number;
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER < size) break;
      const payload = this.pending.subarray(offset + HEADER, offset + HEADER + size);
      offset += HEADER + size;
      if (type === 1) {
        this.bytes += payload.length;
        this.push(payload);
      } else if (type === 2) {
        this.errTail = (this.errTail + payload.toString('utf8')).slice(-STDERR_KEEP);
      }
    }
    this.pending = this.pending.subarray(offset);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.pending.length > 0) {
      done(new Error(`stream ended inside a frame (${this.pending.length} bytes left)`));
      return;
    }
    done();
  }
}
