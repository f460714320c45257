import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { transfer } from './stream-transfer.js';

const collect = (input: NodeJS.ReadableStream) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    input.on('data', (c: Buffer) => (text += c.toString()));
    input.on('end', () => resolve(text));
    input.on('error', reject);
  });

describe('transfer', () => {
  it('hashes what passed and ends the pipe only after the producer succeeded', async () => {
    const t = await transfer(
      new AbortController().signal,
      async (out) => {
        out.write('abc');
        await new Promise((r) => setTimeout(r, 10));
        out.write('def');
      },
      collect,
    );
    expect(t.consumed).toBe('abcdef');
    expect(t.bytes).toBe(6);
    expect(t.sha256).toBe(createHash('sha256').update('abcdef').digest('hex'));
  });

  it('a failed producer never looks like a clean end to the consumer', async () => {
    let ended = false;
    await expect(
      transfer(
        new AbortController().signal,
        async (out) => {
          out.write('partial');
          throw new Error('tar exited with 2');
        },
        async (input) => {
          await collect(input);
          ended = true;
        },
      ),
    ).rejects.toThrow('tar exited with 2');
    expect(ended).toBe(false);
  });

  it('a failed consumer aborts the producer', async () => {
    let aborted = false;
    await expect(
      transfer(
        new AbortController().signal,
        (out, signal) =>
          new Promise<void>((_, reject) => {
            out.write('x');
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
        async () => {
          throw new Error('upload refused');
        },
      ),
    ).rejects.toThrow('upload refused');
    expect(aborted).toBe(true);
  });
});
