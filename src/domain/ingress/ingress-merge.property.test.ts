import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIngressConfig } from './ingress-document.js';
import { mergeManagedRoutes } from './ingress-merge.js';
import { isCatchAll, validateIngress } from './ingress-validate.js';

/** A generated config: its parts (so the test knows which bytes are foreign) plus the merge input. */
interface Case {
  parts: { text: string; managed: boolean }[];
  column: number;
  eol: string;
  hadCatchAll: boolean;
  managedHostnames: Set<string>;
  desired: { hostname: string; service: string }[];
}

const POOL = Array.from({ length: 6 }, (_, i) => `m${i}.example.com`);
const port = fc.integer({ min: 1, max: 65535 });

const foreignItem = (pad: string, i: number) =>
  fc.tuple(fc.integer({ min: 0, max: 5 }), port).map(([variant, p]) => {
    const f = `f${i}.example.org`;
    return [
      `${pad}- hostname: ${f}\n${pad}  service: http://localhost:${p}\n`,
      `${pad}- hostname: "${f}"   # quoted\n${pad}  service: 'http://127.0.0.1:${p}'\n`,
      `${pad}- hostname: ${f}\n${pad}  path: ^/api/.*\\.json$\n${pad}  service: https://localhost:${p}\n${pad}  originRequest:\n${pad}    noTLSVerify: true\n`,
      `${pad}- {hostname: ${f}, service: "unix:/run/app-${p}.sock"}\n`,
      `${pad}-\n${pad}  service: http://localhost:${p}\n${pad}  hostname: ${f}\n`,
      `${pad}- hostname: "*.w${i}.example.org"\n${pad}  service: ssh://localhost:22\n`,
    ][variant] as string;
  });

const managedItem = (pad: string) =>
  fc.tuple(fc.constantFrom(...POOL), fc.integer({ min: 0, max: 2 }), port).map(([m, variant, p]) => ({
    hostname: m,
    text: [
      `${pad}- hostname: ${m}\n${pad}  service: http://localhost:${p}\n`,
      `${pad}- hostname: ${m} # mine\n${pad}  path: ^/\n${pad}  service: http://localhost:${p}\n`,
      `${pad}- hostname: ${m.toUpperCase()}\n${pad}  service: http://localhost:${p}\n`,
    ][variant] as string,
  }));

const filler = (pad: string) =>
  fc.constantFrom('', '\n', `${pad}# a note\n`, '# column-zero comment\n', `${pad}    # deeper comment\n`);

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    column: fc.constantFrom(0, 2, 4),
    crlf: fc.boolean(),
    catchAll: fc.constantFrom('none', 'plain', 'star'),
    slots: fc.array(fc.tuple(fc.boolean(), fc.nat()), { minLength: 1, maxLength: 8 }),
    seed: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), port, fc.nat(), fc.nat()), {
      minLength: 8,
      maxLength: 8,
    }),
    desired: fc.uniqueArray(fc.tuple(fc.constantFrom(...POOL), port), { selector: ([h]) => h, maxLength: 5 }),
    extraManaged: fc.subarray(POOL),
  })
  .chain((c) => {
    const pad = ' '.repeat(c.column);
    return fc
      .tuple(
        fc.tuple(...c.slots.map(([isManaged], i) => (isManaged ? managedItem(pad) : foreignItem(pad, i)))),
        fc.array(filler(pad), { minLength: c.slots.length, maxLength: c.slots.length }),
      )
      .map(([items, fillers]): Case => {
        const eol = c.crlf ? '\r\n' : '\n';
        const parts: Case['parts'] = [
          {
            text: '# managed by hand and by Warp Panel\ntunnel: abc\ncredentials-file: /x.json # creds\n\n',
            managed: false,
          },
          { text: 'ingress: # rules\n', managed: false },
        ];
        const managedHostnames = new Set(c.extraManaged);
        items.forEach((item, i) => {
          parts.push({ text: fillers[i] ?? '', managed: false });
          if (typeof item === 'string') parts.push({ text: item, managed: false });
          else {
            parts.push({ text: item.text, managed: true });
            managedHostnames.add(item.hostname);
          }
        });
        if (c.catchAll === 'plain')
          parts.push({ text: `${pad}# rest\n${pad}- service: http_status:404\n`, managed: false });
        if (c.catchAll === 'star')
          parts.push({ text: `${pad}- hostname: "*"\n${pad}  service: http_status:503\n`, managed: false });
        parts.push({ text: 'loglevel: info # tail\n', managed: false });
        const desired = c.desired.map(([hostname, p]) => ({ hostname, service: `http://localhost:${p}` }));
        for (const d of desired) managedHostnames.add(d.hostname);
        for (const p of parts) p.text = p.text.replaceAll('\n', eol);
        return {
          parts,
          column: c.column,
          eol,
          hadCatchAll: c.catchAll !== 'none',
          managedHostnames,
          desired,
        };
      });
  });

const textOf = (c: Case) => c.parts.map((p) => p.text).join('');
const foreignOnly = (c: Case) =>
  c.parts
    .filter((p) => !p.managed)
    .map((p) => p.text)
    .join('');

/** Removes what the panel writes (its rules, and the catch-all it adds) from a merged text. */
function stripPanelLines(c: Case, text: string): string {
  const pad = ' '.repeat(c.column);
  const rule = new RegExp(
    `^${pad}- hostname: m\\d\\.example\\.com${c.eol}${pad}  service: \\S+${c.eol}`,
    'gm',
  );
  let out = text.replace(rule, '');
  const catchAll = `${pad}- service: http_status:404${c.eol}`;
  if (!c.hadCatchAll) {
    const at = out.lastIndexOf(catchAll);
    out = out.slice(0, at) + out.slice(at + catchAll.length);
  }
  return out;
}

const run = (c: Case, text = textOf(c)) =>
  mergeManagedRoutes(text, { managedHostnames: c.managedHostnames, desired: c.desired });

describe('mergeManagedRoutes properties', () => {
  it('keeps every foreign byte, leaves exactly the desired managed set and a valid list', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { text } = run(c);
        expect(stripPanelLines(c, text)).toBe(foreignOnly(c));
        const { rules } = parseIngressConfig(text);
        expect(validateIngress(rules)).toEqual([]);
        expect(isCatchAll(rules[rules.length - 1] ?? { hostname: 'x', path: null })).toBe(true);
        const managed = rules.filter((r) => r.hostname !== null && c.managedHostnames.has(r.hostname));
        expect(managed.map((r) => [r.hostname, r.service]).sort()).toEqual(
          c.desired.map((d) => [d.hostname, d.service]).sort(),
        );
        const hostnames = rules.map((r) => r.hostname?.toLowerCase()).filter((h) => h);
        expect(new Set(hostnames).size).toBe(hostnames.length);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps foreign rules in their original order', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const before = parseIngressConfig(textOf(c)).rules.filter(
          (r) => !c.managedHostnames.has(r.hostname?.toLowerCase() ?? '') && !isCatchAll(r),
        );
        const after = parseIngressConfig(run(c).text).rules.filter(
          (r) => !c.managedHostnames.has(r.hostname?.toLowerCase() ?? '') && !isCatchAll(r),
        );
        expect(after).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent: merging the result again changes nothing', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const once = run(c);
        const twice = run(c, once.text);
        expect(twice).toEqual({ text: once.text, changed: false });
        expect(once.changed).toBe(once.text !== textOf(c));
      }),
      { numRuns: 300 },
    );
  });
});
