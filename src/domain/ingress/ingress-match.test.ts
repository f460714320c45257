import { describe, expect, it } from 'vitest';
import type { IngressRule } from './ingress-document.js';
import { matchHost, matchRule } from './ingress-match.js';

const rules: IngressRule[] = [
  { hostname: 'app.example.com', path: '^/api', service: 'http://localhost:1' },
  { hostname: 'app.example.com', path: null, service: 'http://localhost:2' },
  { hostname: '*.example.com', path: null, service: 'http://localhost:3' },
  { hostname: 'static.example.org', path: '\\.(png|css)$', service: 'http://localhost:4' },
  { hostname: null, path: null, service: 'http_status:404' },
];

describe('matchHost', () => {
  it('matches exactly or by *.suffix, never the apex', () => {
    expect(matchHost('*.example.com', 'a.example.com')).toBe(true);
    expect(matchHost('*.example.com', 'a.b.example.com')).toBe(true);
    expect(matchHost('*.example.com', 'example.com')).toBe(false);
    expect(matchHost('*.example.com', 'badexample.com')).toBe(false);
    // Case-sensitive like cloudflared; an uppercase rule still matches lowercase via its IDNA twin.
    expect(matchHost('a.example.com', 'A.Example.COM')).toBe(false);
    expect(matchHost('A.Example.COM', 'a.example.com')).toBe(true);
    expect(matchHost('*', 'anything')).toBe(true);
    expect(matchHost(null, 'anything')).toBe(true);
    expect(matchHost('*foo.com', 'xfoo.com')).toBe(false);
  });
});

describe('matchRule', () => {
  it('returns the first matching rule with its 0-based index', () => {
    expect(matchRule(rules, 'https://app.example.com/api/v1')?.index).toBe(0);
    expect(matchRule(rules, 'https://app.example.com/web?x=/api')?.index).toBe(1);
    expect(matchRule(rules, 'https://x.y.example.com/')?.index).toBe(2);
    expect(matchRule(rules, 'https://example.com/')?.index).toBe(4);
  });

  it('strips the port and ignores the query', () => {
    expect(matchRule(rules, 'https://app.example.com:8443/api')?.index).toBe(0);
    expect(matchRule(rules, 'http://static.example.org/a.css?v=1')?.index).toBe(3);
    expect(matchRule(rules, 'http://static.example.org/a.css.map')?.index).toBe(4);
  });

  it('matches the path unanchored and accepts a bare host/path', () => {
    expect(matchRule(rules, 'static.example.org/img/a.png')?.index).toBe(3);
    expect(matchRule(rules, 'app.example.com/v2/api')?.index).toBe(1);
    expect(matchRule(rules, 'app.example.com')?.index).toBe(1);
  });

  it('returns null when nothing matches or the URL does not parse', () => {
    expect(matchRule(rules.slice(0, 2), 'https://other.example.net/')).toBeNull();
    // Go's url.Parse gives an empty host here: only a rule for every hostname matches it.
    expect(matchRule(rules, 'https:///nohost')?.index).toBe(4);
    expect(matchRule(rules, '')).toBeNull();
    expect(matchRule(rules, 'https://a.example.com/%zz')).toBeNull();
  });

  it('never matches a rule whose path regex is invalid', () => {
    const bad: IngressRule[] = [{ hostname: null, path: '([', service: 'http://x' }];
    expect(matchRule(bad, 'https://a.b/')).toBeNull();
  });
});
