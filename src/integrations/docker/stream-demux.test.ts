import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdoutDemux } from './stream-demux.js';

const frame = (type: number, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('StdoutDemux', () => {
  it('passes stdout on, keeps stderr, across arbitrary chunk boundaries', async () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world')]);
    const chunks = [...all].map((b) => Buffer.from([b])); // one byte at a time
    const demux = new StdoutDemux();
    let out = '';
    demux.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve, reject) =>
      Readable.from(chunks).pipe(demux).on('end', resolve).on('error', reject),
    );
    expect(out).toBe('hello world');
    expect(demux.stderr).toBe('oops');
    expect(demux.bytes).toBe(11);
  });

  it('fails a stream cut inside a frame', async () => {
    const cut = frame(1, 'truncated').subarray(0, 12);
    const demux = new StdoutDemux();
    demux.resume();
    await expect(
      new Promise((resolve, reject) =>
        Readable.from([cut]).pipe(demux).on('end', resolve).on('error', reject),
      ),
    ).rejects.toThrow(/inside a frame/);
  });
});
