import { describe, expect, it } from 'vitest';
import { appendCapped, lastSeqOf, mergeBySeq } from './log-buffer.js';

const l = (seq: number) => ({ seq, text: `line ${seq}` });

describe('mergeBySeq', () => {
  it('appends new lines in order', () => {
    expect(mergeBySeq([l(1), l(2)], [l(3), l(4)]).map((x) => x.seq)).toEqual([1, 2, 3, 4]);
  });

  it('drops lines a resumed stream sends again (Last-Event-ID overlap)', () => {
    const merged = mergeBySeq([l(1), l(2), l(3)], [l(2), l(3), l(4), l(4)]);
    expect(merged.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
  });

  it('returns the same array when nothing is new, so React skips a render', () => {
    const cur = [l(1), l(2)];
    expect(mergeBySeq(cur, [l(1)])).toBe(cur);
    expect(mergeBySeq(cur, [])).toBe(cur);
  });

  it('sorts lines that arrive out of order (catch-up racing the live stream)', () => {
    expect(mergeBySeq([l(1), l(5)], [l(3), l(2)]).map((x) => x.seq)).toEqual([1, 2, 3, 5]);
  });

  it('keeps only the newest lines beyond the cap', () => {
    const merged = mergeBySeq([l(1), l(2), l(3)], [l(4), l(5)], 3);
    expect(merged.map((x) => x.seq)).toEqual([3, 4, 5]);
    expect(lastSeqOf(merged)).toBe(5);
    expect(lastSeqOf([])).toBeNull();
  });

  it('caps appended container lines too', () => {
    expect(appendCapped([1, 2], [3, 4], 3)).toEqual([2, 3, 4]);
  });
});
