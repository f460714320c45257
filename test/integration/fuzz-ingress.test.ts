/**
 * Complements src/domain/ingress/ingress-merge.property.test.ts (whose foreign rules come from six
 * fixed shapes): here the foreign content is arbitrary — random top-level keys and values before and
 * after `ingress:`, foreign rules with random nested `originRequest` blocks and comments of any
 * unicode text. The merge must either refuse with a domain error or keep every foreign byte in order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { AppError } from '../../src/domain/errors.js';
import { mergeManagedRoutes } from '../../src/domain/ingress/index.js';

const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((k) => k !== 'ingress');
const topLevel = fc
  .dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
  .map((d) => (Object.keys(d).length === 0 ? '' : YAML.stringify(d)));
const comment = fc.string({ unit: 'grapheme', maxLength: 30 }).map((c) => c.replace(/[\r\n]/g, ' '));
const indent = (text: string, pad: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `${pad}${l}\n`)
    .join('');
const foreignRule = (i: number) =>
  fc
    .tuple(
      fc.integer({ min: 1, max: 65535 }),
      fc.option(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 })),
      comment,
    )
    .map(([port, origin, note]) => {
      const head = `  # ${note}\n  - hostname: f${i}.example.org\n    service: http://localhost:${port}\n`;
      return origin ? `${head}    originRequest:\n${indent(YAML.stringify(origin), '      ')}` : head;
    });
const POOL = ['m0.example.com', 'm1.example.com', 'm2.example.com'];

const caseArb = fc.integer({ min: 0, max: 5 }).chain((count) =>
  fc.record({
    before: topLevel,
    rules: fc.tuple(...Array.from({ length: count }, (_, i) => foreignRule(i))),
    catchAll: fc.boolean(),
    after: topLevel,
    desired: fc.subarray(POOL),
    port: fc.integer({ min: 1024, max: 65535 }),
  }),
);

describe('ingress merge with arbitrary foreign content', () => {
  it('keeps every foreign byte in order (or refuses with a domain error)', () => {
    let merged = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const foreign = [
          c.before,
          'ingress:\n',
          ...c.rules,
          c.catchAll ? '  - service: http_status:404\n' : '',
        ];
        const text = `${foreign.join('')}${c.after}`;
        const desired = c.desired.map((hostname) => ({ hostname, service: `http://localhost:${c.port}` }));
        let out: string;
        try {
          out = mergeManagedRoutes(text, { managedHostnames: new Set(POOL), desired }).text;
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          return;
        }
        merged++;
        // Foreign parts appear in the output in the same order, each byte for byte.
        let at = 0;
        for (const part of [...foreign, c.after].filter((p) => p !== '')) {
          const found = out.indexOf(part, at);
          expect(found, `missing or moved: ${JSON.stringify(part)}\nin:\n${out}`).toBeGreaterThanOrEqual(at);
          at = found + part.length;
        }
        for (const d of desired) expect(out).toContain(`- hostname: ${d.hostname}\n`);
      }),
      { numRuns: 300 },
    );
    // The property is about merges, not refusals: most cases must merge.
    expect(merged).toBeGreaterThan(150);
  });
});
