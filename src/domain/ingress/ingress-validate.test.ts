import { describe, expect, it } from 'vitest';
import type { IngressRule } from './ingress-document.js';
import { compilePathRegex, ingressProblems, isCatchAll, validateIngress } from './ingress-validate.js';

const rule = (hostname: string | null, service: string, path: string | null = null): IngressRule => ({
  hostname,
  path,
  service,
});
const CATCH_ALL = rule(null, 'http_status:404');
const withService = (service: string, originRequest?: unknown) =>
  validateIngress([
    { ...rule('a.example.com', service), ...(originRequest ? { originRequest } : {}) },
    CATCH_ALL,
  ]);

describe('validateIngress', () => {
  it('accepts a well-formed list', () => {
    expect(validateIngress([rule('a.example.com', 'http://localhost:8000'), CATCH_ALL])).toEqual([]);
    expect(
      validateIngress([rule('*.example.com', 'https://127.0.0.1:8443'), rule('*', 'hello_world')]),
    ).toEqual([]);
  });

  it('requires at least one rule', () => {
    expect(validateIngress([])).toEqual(["The config file doesn't contain any ingress rules"]);
  });

  it('requires the last rule to be a catch-all', () => {
    const msg =
      'The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)';
    expect(validateIngress([rule('a.example.com', 'http://x')])).toEqual([msg]);
    expect(validateIngress([rule(null, 'http://x', '^/api')])).toEqual([msg]);
  });

  it('refuses a catch-all before the end, numbering rules from 1', () => {
    expect(validateIngress([rule('a.b', 'http://x'), rule('*', 'http://y'), CATCH_ALL])).toEqual([
      "Rule #2 is matching the hostname '*', but this will match every hostname, meaning the rules which follow it will never be triggered.",
    ]);
    expect(validateIngress([rule('', 'http://y'), CATCH_ALL])[0]).toMatch(
      /^Rule #1 is matching the hostname ''/,
    );
  });

  it('checks hostnames like cloudflared', () => {
    expect(validateIngress([rule('a.example.com:443', 'http://x'), CATCH_ALL])).toEqual([
      'Hostname cannot contain a port',
    ]);
    expect(validateIngress([rule('a.*.example.com', 'http://x'), CATCH_ALL])[0]).toMatch(
      /at most one wildcard/,
    );
    expect(validateIngress([rule('**.example.com', 'http://x'), CATCH_ALL])[0]).toMatch(/wildcard/);
    expect(validateIngress([rule('[::1]:80', 'http://x'), CATCH_ALL])).toEqual([
      'Hostname cannot contain a port',
    ]);
  });

  it('accepts every named and prefixed service form', () => {
    for (const s of ['unix:/run/a.sock', 'unix+tls:/run/a.sock', 'http_status:100', 'http_status:999']) {
      expect(withService(s)).toEqual([]);
    }
    for (const s of [
      'hello_world',
      'hello-world',
      'socks-proxy',
      'bastion',
      'ssh://localhost:22',
      'tcp://h:1',
    ]) {
      expect(withService(s)).toEqual([]);
    }
    expect(withService('http://[::1]:8080')).toEqual([]);
    expect(withService('anything', { bastionMode: true })).toEqual([]);
  });

  it('reports bad status codes and URLs with cloudflared messages', () => {
    expect(withService('http_status:99')).toEqual(['invalid HTTP status code: 99']);
    expect(withService('http_status:1000')).toEqual(['invalid HTTP status code: 1000']);
    expect(withService('http_status:abc')[0]).toMatch(/^invalid HTTP status code: strconv.Atoi/);
    expect(withService('localhost:8000')).toEqual([
      'localhost:8000 is an invalid address, please make sure it has a scheme and a hostname',
    ]);
    expect(withService('')[0]).toMatch(/please make sure it has a scheme and a hostname/);
    expect(withService('http://localhost:8000/app')[0]).toMatch(/don't support proxying to a different path/);
    // Go's url.Parse gives Path "/" for a trailing slash, and cloudflared rejects any non-empty path.
    expect(withService('http://localhost:8000/')[0]).toMatch(/don't support proxying to a different path/);
    expect(withService('http://localhost:abc')[0]).toMatch(/invalid port ":abc" after host/);
  });

  it('reports invalid path regexes with the 1-based rule number', () => {
    expect(validateIngress([rule('a.b', 'http://x', '(['), CATCH_ALL])[0]).toMatch(
      /^Rule #1 has an invalid regex: /,
    );
    expect(validateIngress([rule('a.b', 'http://x', '^/(?=x)'), CATCH_ALL])[0]).toMatch(/invalid regex/);
  });

  it('returns the first problem of every rule, service first', () => {
    const problems = ingressProblems([rule('a.b:1', 'nope'), rule('c.d:2', 'http://x'), CATCH_ALL]);
    expect(problems.map((p) => [p.index, p.field])).toEqual([
      [0, 'service'],
      [1, 'hostname'],
    ]);
  });
});

describe('isCatchAll / compilePathRegex', () => {
  it('detects catch-alls', () => {
    expect(isCatchAll({ hostname: null, path: null })).toBe(true);
    expect(isCatchAll({ hostname: '*', path: '' })).toBe(true);
    expect(isCatchAll({ hostname: '*', path: '^/x' })).toBe(false);
    expect(isCatchAll({ hostname: 'a.b', path: null })).toBe(false);
  });

  it('translates RE2 inline flags and named groups', () => {
    const re = compilePathRegex('(?i)^/(?P<x>API)');
    expect('test' in re && re.test('/api')).toBe(true);
    expect(compilePathRegex('\\1')).toHaveProperty('error');
  });
});
