/**
 * Matching in the shapes of cloudflared's Test_rule_matches and TestFindMatchingRule tables, with
 * this project's own cases, and properties of the host and path matching.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IngressRule } from './ingress-document.js';
import { matchHost, matchRule, punycodeHostname } from './ingress-match.js';
import { validateIngress } from './ingress-validate.js';

const rule = (hostname: string | null, path: string | null = null, service = 'http://x:1'): IngressRule => ({
  hostname,
  path,
  service,
});
const matches = (r: IngressRule, url: string) => matchRule([r], url) !== null;

describe('one rule against one URL (Rule.Matches)', () => {
  it.each([
    ['just hostname', rule('example.com'), 'https://example.com', true],
    ['unicode rule, unicode request', rule('môô.cloudflare.com'), 'https://môô.cloudflare.com', true],
    ['unicode rule, punycode request', rule('môô.cloudflare.com'), 'https://xn--m-xgaa.cloudflare.com', true],
    [
      'punycode rule, unicode request',
      rule('xn--m-xgaa.cloudflare.com'),
      'https://môô.cloudflare.com',
      false,
    ],
    ['entire hostname is a wildcard', rule('*'), 'https://example.com', true],
    ['just hostname, other host', rule('example.com'), 'https://foo.bar', false],
    ['wildcard subdomain', rule('*.example.com'), 'https://adam.example.com', true],
    ['wildcard, other domain', rule('*.example.com'), 'https://tunnel.com', false],
    ['wildcard outside a subdomain', rule('*example.com'), 'https://www.example.com', false],
    ['wildcard over several labels', rule('*.example.com'), 'https://adam.chalmers.example.com', true],
    ['wildcard never matches the apex', rule('*.example.com'), 'https://example.com', false],
    ['wildcard needs the dot', rule('*.api.abc.cloud'), 'https://testing-api.abc.cloud', false],
    [
      'hostname and path',
      rule('*.example.com', '/static/.*\\.html'),
      'https://www.example.com/static/index.html',
      true,
    ],
    ['hostname and empty path', rule('example.com', ''), 'https://example.com/', true],
    ['hostname and no path', rule('example.com', null), 'https://example.com/', true],
    ['port is ignored', rule('example.com'), 'https://example.com:8443/', true],
    ['IPv6 request host', rule('::1'), 'http://[::1]:8080/', true],
    ['case differs (request uppercase)', rule('example.com'), 'https://EXAMPLE.com/', false],
    ['case differs (rule uppercase)', rule('Example.COM'), 'https://example.com/', true],
    ['uppercase rule, same-case request', rule('Example.COM'), 'https://Example.COM/', true],
    ['uppercase wildcard has no IDNA twin', rule('*.Example.com'), 'https://a.example.com/', false],
    ['uppercase wildcard, same case', rule('*.Example.com'), 'https://a.Example.com/', true],
    ['underscore rule has no twin', rule('My_App.example.com'), 'https://my_app.example.com/', false],
    ['unicode uppercase rule', rule('MÔÔ.cloudflare.com'), 'https://xn--m-xgaa.cloudflare.com/', true],
    ['unicode wildcard keeps unicode only', rule('*.môô.com'), 'https://a.xn--m-xgaa.com/', false],
    ['unicode wildcard, unicode request', rule('*.môô.com'), 'https://a.môô.com/', true],
  ])('%s', (_name, r, url, want) => {
    expect(matches(r, url)).toBe(want);
  });
});

describe('paths as cloudflared sees them', () => {
  it('matches the decoded path, unanchored, without the query', () => {
    expect(matches(rule(null, '^/a/b$'), 'https://h/a%2Fb')).toBe(true);
    expect(matches(rule(null, 'q=1'), 'https://h/x?q=1')).toBe(false);
    expect(matches(rule(null, 'frag'), 'https://h/x#frag')).toBe(false);
    expect(matches(rule(null, 'api'), 'https://h/v1/api/x')).toBe(true);
    expect(matches(rule(null, '^/é$'), 'https://h/%C3%A9')).toBe(true);
  });

  it('gives an empty path for a URL with nothing after the host, as Go does', () => {
    expect(matches(rule(null, '^/'), 'https://h')).toBe(false);
    expect(matches(rule(null, '^$'), 'https://h')).toBe(true);
    expect(matches(rule(null, '^/$'), 'https://h/')).toBe(true);
  });

  it('matches bytes that are not UTF-8 as Go does (as U+FFFD, never as \\xff)', () => {
    expect(matches(rule(null, '^/.$'), 'https://h/%FF')).toBe(true);
    expect(matches(rule(null, '\\xff'), 'https://h/%FF')).toBe(false);
    expect(matches(rule(null, '\\x{FFFD}'), 'https://h/%FF')).toBe(true);
    expect(matches(rule(null, '\\xff'), 'https://h/%C3%BF')).toBe(true);
  });

  it('uses RE2 flags and syntax', () => {
    expect(matches(rule(null, '(?i)^/API'), 'https://h/api')).toBe(true);
    expect(matches(rule(null, '^/(?P<v>v[0-9]+)/'), 'https://h/v2/x')).toBe(true);
    expect(matches(rule(null, '^/x$'), 'https://h/x%0A')).toBe(false);
  });
});

describe('the first matching rule (FindMatchingRule)', () => {
  const rules = [rule('tunnel-a.example.com'), rule('tunnel-b.example.com', '/health'), rule('*')];
  it.each([
    ['https://tunnel-a.example.com/', 0],
    ['https://tunnel-a.example.com/pages/about', 0],
    ['https://tunnel-a.example.com:443/pages/about', 0],
    ['https://tunnel-b.example.com/health', 1],
    ['https://tunnel-b.example.com/index.html', 2],
    ['https://tunnel-c.example.com/', 2],
    ['tunnel-b.example.com/health', 1],
  ])('%s → rule %d', (url, index) => {
    expect(matchRule(rules, url)?.index).toBe(index);
  });

  it('routes a URL whose host is empty only to a rule for every host', () => {
    expect(matchRule([rule('a.b'), rule(null, '^/x')], 'https:///x')?.index).toBe(1);
    expect(matchRule([rule('a.b')], 'https:///x')).toBeNull();
  });
});

describe('punycode twins (idna.Lookup.ToASCII)', () => {
  it.each([
    ['môô.cloudflare.com', 'xn--m-xgaa.cloudflare.com'],
    ['App.Example.com', 'app.example.com'],
    ['ß.de', 'xn--zca.de'],
    ['a\u3002b.com', 'a.b.com'],
    ['café.123', 'xn--caf-dma.123'],
    ['example.com', null],
    ['xn--m-xgaa.cloudflare.com', null],
    ['*.example.com', null],
    ['a_b.example.com', null],
    ['-a.example.com', null],
    ['ab--c.example.com', null],
    ['xn--zz.example.com', null],
    ['\ufffd.example.com', null],
  ])('%s → %s', (host, twin) => {
    expect(punycodeHostname(host)).toBe(twin);
  });
});

describe('properties', () => {
  // Labels IDNA accepts (no `--` in positions 3–4, which Go's hyphen check refuses).
  const label = fc.stringMatching(/^[a-z0-9]{1,6}(?:-[a-z0-9]{1,4})?$/);
  const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));

  it('a wildcard matches exactly the hosts with at least one more label', () => {
    fc.assert(
      fc.property(host, host, (suffix, prefix) => {
        expect(matchHost(`*.${suffix}`, `${prefix}.${suffix}`)).toBe(true);
        expect(matchHost(`*.${suffix}`, suffix)).toBe(false);
        expect(matchHost(`*.${suffix}`, `${prefix}${suffix}`)).toBe(false);
      }),
    );
  });

  it('a label with `--` in positions 3–4 gets no twin, so only its exact case matches', () => {
    expect(matchHost('AB--C.example', 'ab--c.example')).toBe(false);
    expect(matchHost('AB--C.example', 'AB--C.example')).toBe(true);
  });

  it('an ASCII rule matches a request for the same host in lowercase, and never one in other case', () => {
    fc.assert(
      fc.property(host, fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (h, caps) => {
        const mixed = [...h].map((c, i) => (caps[i % caps.length] ? c.toUpperCase() : c)).join('');
        expect(matchHost(mixed, h)).toBe(true);
        expect(matchHost(h, mixed)).toBe(mixed === h);
      }),
    );
  });

  it('the port of the request never changes the match', () => {
    fc.assert(
      fc.property(host, host, fc.integer({ min: 1, max: 65535 }), (ruleHost, reqHost, port) => {
        const rules = [rule(ruleHost), rule(null)];
        expect(matchRule(rules, `https://${reqHost}:${port}/p`)?.index).toBe(
          matchRule(rules, `https://${reqHost}/p`)?.index,
        );
      }),
    );
  });

  it('a path regex with ^…$ matches only the whole path', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\/[a-z0-9/]{0,12}$/),
        fc.stringMatching(/^[a-z0-9]{1,4}$/),
        (p, extra) => {
          const r = rule(null, `^${p.replace(/[/]/g, '\\/')}$`);
          expect(matches(r, `https://h${p}`)).toBe(true);
          expect(matches(r, `https://h${p}${extra}`)).toBe(false);
        },
      ),
    );
  });

  it('a list cloudflared accepts routes every URL with a host to some rule, the catch-all last', () => {
    const anyRule = fc.record({
      hostname: fc.oneof(
        host,
        host.map((h) => `*.${h}`),
      ),
      path: fc.option(fc.constantFrom('^/api', '\\.png$', '(?i)/ADMIN', '^/v[0-9]+/')),
      service: fc.constant('http://localhost:8080'),
    });
    fc.assert(
      fc.property(
        fc.array(anyRule, { maxLength: 6 }),
        host,
        fc.stringMatching(/^\/[a-zA-Z0-9./]{0,10}$/),
        (rs, h, p) => {
          const rules = [...rs, rule(null, null, 'http_status:404')];
          expect(validateIngress(rules)).toEqual([]);
          const m = matchRule(rules, `https://${h}${p}`);
          expect(m).not.toBeNull();
          const first = rules.findIndex(
            (r) =>
              matchHost(r.hostname, h) &&
              (r.path === null ||
                new RegExp(r.path.replace('(?i)', ''), r.path.startsWith('(?i)') ? 'i' : '').test(p)),
          );
          expect(m?.index).toBe(first);
        },
      ),
    );
  });
});
