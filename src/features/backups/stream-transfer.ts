import { createHash } from 'node:crypto';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';

/** A pass-through that counts and hashes what flows through it. */
export class HashTap extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  /** Hex SHA-256 of everything that passed (call once the stream ended). */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** What a transfer between two programs produced. */
export interface Transfer<P, C> {
  produced: P;
  consumed: C;
  bytes: number;
  sha256: string;
}

/**
 * Stream from a producer into a consumer through a hashing pipe. The pipe ends only when the
 * producer succeeded; when either side fails, the pipe is destroyed and the other side is aborted
 * (so a cut-off stream is never taken for a whole one, and nothing waits forever on a dead peer).
 */
export async function transfer<P, C>(
  signal: AbortSignal,
  produce: (out: NodeJS.WritableStream, signal: AbortSignal) => Promise<P>,
  consume: (input: NodeJS.ReadableStream, signal: AbortSignal) => Promise<C>,
): Promise<Transfer<P, C>> {
  const local = new AbortController();
  const both = AbortSignal.any([signal, local.signal]);
  const pipe = new PassThrough();
  const tap = new HashTap();
  pipe.pipe(tap);
  // Failures surface through the two promises; the streams' own error events need no other reader.
  pipe.on('error', () => {});
  tap.on('error', () => {});
  const fail = (err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    if (!local.signal.aborted) local.abort(error);
    pipe.destroy(error);
    tap.destroy(error);
  };
  const producing = produce(pipe, both).then(
    (value) => {
      pipe.end();
      return value;
    },
    (err: unknown) => {
      fail(err);
      throw err;
    },
  );
  const consuming = consume(tap, both).catch((err: unknown) => {
    fail(err);
    throw err;
  });
  // The first real failure wins (the other side's error is only its consequence).
  const settled = await Promise.allSettled([producing, consuming]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [produced, consumed] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [P, C];
  return { produced, consumed, bytes: tap.bytes, sha256: tap.digest() };
}
