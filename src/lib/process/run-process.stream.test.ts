import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRunner } from './runner.js';

describe('runProcess with streams', () => {
  it('pipes input into the program and its raw stdout into output, leaving output open', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (c: Buffer) => chunks.push(c));
    const run = createRunner()(['cat'], { input, output });
    const bytes = Buffer.from([0, 255, 10, 13, 1, 2, 3]);
    input.end(bytes);
    const res = await run;
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(res.stdout).toBe(''); // bytes went to output, not into the captured text
    expect(output.writableEnded).toBe(false);
  });

  it('kills the program when its input fails, so it never sees a clean end of it', async () => {
    const input = new PassThrough();
    const output = new PassThrough().resume();
    const run = createRunner()(['sh', '-c', 'cat > /dev/null; echo finished-reading'], { input, output });
    input.write('partial');
    input.destroy(new Error('tar exited with 2'));
    await expect(run).rejects.toThrow(/its input failed: tar exited with 2/);
  });
});
