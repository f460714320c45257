import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonArrayStream } from './json-array-stream.js';

/** Feed `text` in pieces cut at `cuts` (byte offsets) and collect the elements. */
function split(text: string, cuts: number[] = []): unknown[] {
  const bytes = Buffer.from(text);
  const out: unknown[] = [];
  const s = createJsonArrayStream((e) => out.push(e));
  let at = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    s.write(bytes.subarray(at, cut));
    at = cut;
  }
  s.write(bytes.subarray(at));
  s.end();
  return out;
}

describe('JSON array stream', () => {
  it('yields each element of an array of objects, whatever the chunking', () => {
    const items = [
      { Id: 'a', Names: ['/x'], Labels: { 'a{b': '}]"', q: 'say "hi" \\ [ok]' } },
      { Id: 'b', Ports: [{ PrivatePort: 80 }], Text: 'grüße ✓ \u2028' },
      [1, [2, { three: 3 }]],
      { runs: ['\\', '\\\\', '\\"', '"\\', '\\\\"\\\\"', '}', '{', ']'] },
    ];
    const text = ` [ ${items.map((i) => JSON.stringify(i)).join(' ,\n ')} ] `;
    expect(split(text)).toEqual(items);
    for (let cut = 0; cut < Buffer.byteLength(text); cut++)
      expect(split(text, [cut, cut + 1])).toEqual(items);
  });

  it('matches JSON.parse for any array of objects cut anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 8 }),
        fc.array(fc.nat(2000), { maxLength: 6 }),
        (items, cuts) => {
          expect(split(JSON.stringify(items), cuts)).toEqual(JSON.parse(JSON.stringify(items)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles an empty array and refuses what is not one whole array of objects', () => {
    expect(split('[]')).toEqual([]);
    expect(() => split('[{"a":1}')).toThrow(/ended early/);
    expect(() => split('')).toThrow(/ended early/);
    expect(() => split('{"a":1}')).toThrow(/array was expected/);
    expect(() => split('["a"]')).toThrow(/objects or arrays/);
    expect(() => split('[1]')).toThrow(/objects or arrays/);
    expect(() => split('null')).toThrow(/objects or arrays/);
    expect(() => split('[{"a":1}]]')).toThrow(/unbalanced/);
    expect(() => split('[{"a":}]')).toThrow(SyntaxError);
  });
});
