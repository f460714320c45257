import { Writable } from 'node:stream';

/** Every log line written by test apps in this worker, for the secret scan. */
export const capturedLogLines: string[] = [];

/** A pino destination that keeps lines in memory (and drops them from the console). */
export function captureStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      capturedLogLines.push(chunk.toString('utf8'));
      done();
    },
  });
}
