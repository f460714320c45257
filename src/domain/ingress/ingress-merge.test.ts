import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { parseIngressConfig } from './ingress-document.js';
import { mergeManagedRoutes } from './ingress-merge.js';
import { validateIngress } from './ingress-validate.js';

const BASE = `# cloudflared config (hand-written)
tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
credentials-file: /etc/cloudflared/6ff42ae2.json # keep me

ingress:
  # the operator's wiki
  - hostname: wiki.example.com
    service: http://localhost:3000
    originRequest:
      noTLSVerify: true
  - hostname: app.example.com
    service: http://localhost:8100

  # everything else
  - service: http_status:404
warp-routing:
  enabled: true
`;

const merge = (text: string, managed: string[], desired: [string, string][]) =>
  mergeManagedRoutes(text, {
    managedHostnames: new Set(managed),
    desired: desired.map(([hostname, service]) => ({ hostname, service })),
  });

const appError = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
};

describe('mergeManagedRoutes', () => {
  it('returns the identical text when nothing changes', () => {
    const r = merge(BASE, ['app.example.com'], [['app.example.com', 'http://localhost:8100']]);
    expect(r).toEqual({ text: BASE, changed: false });
  });

  it('inserts a new rule after the last rule before the catch-all, keeping its comment with it', () => {
    const r = merge(
      BASE,
      ['app.example.com', 'new.example.com'],
      [
        ['app.example.com', 'http://localhost:8100'],
        ['new.example.com', 'http://localhost:8101'],
      ],
    );
    expect(r.changed).toBe(true);
    expect(r.text).toBe(
      BASE.replace(
        '    service: http://localhost:8100\n',
        '    service: http://localhost:8100\n  - hostname: new.example.com\n    service: http://localhost:8101\n',
      ),
    );
    expect(validateIngress(parseIngressConfig(r.text).rules)).toEqual([]);
  });

  it('updates a managed rule in place and removes ones no longer desired', () => {
    const updated = merge(BASE, ['app.example.com'], [['app.example.com', 'http://localhost:8200']]);
    expect(updated.text).toBe(BASE.replace('localhost:8100', 'localhost:8200'));
    const removed = merge(BASE, ['app.example.com', 'gone.example.com'], []);
    expect(removed.text).toBe(
      BASE.replace('  - hostname: app.example.com\n    service: http://localhost:8100\n', ''),
    );
  });

  it('refuses a desired hostname that a foreign rule already uses', () => {
    const err = appError(() => merge(BASE, [], [['WIKI.example.com', 'http://localhost:1']]));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('wiki.example.com');
  });

  it('refuses duplicate desired hostnames and invalid routes', () => {
    const dup = appError(() =>
      merge(
        BASE,
        ['a.example.com'],
        [
          ['a.example.com', 'http://localhost:1'],
          ['A.example.com', 'http://localhost:2'],
        ],
      ),
    );
    expect(dup.code).toBe('VALIDATION_FAILED');
    expect(dup.details?.[0]?.path).toBe('desired[1].hostname');
    const bad = appError(() => merge(BASE, [], [['*.example.com', 'localhost:1']]));
    expect(bad.details?.map((d) => d.path)).toEqual(['desired[0].hostname', 'desired[0].service']);
  });

  it('creates the ingress list when the key is missing, empty or []', () => {
    const want =
      '  - hostname: n.example.com\n    service: http://localhost:8100\n  - service: http_status:404\n';
    const add = (text: string) =>
      merge(text, ['n.example.com'], [['n.example.com', 'http://localhost:8100']]).text;
    expect(add('tunnel: x\n')).toBe(`tunnel: x\ningress:\n${want}`);
    expect(add('tunnel: x')).toBe(`tunnel: x\ningress:\n${want}`);
    expect(add('')).toBe(`ingress:\n${want}`);
    expect(add('ingress:\ntunnel: x\n')).toBe(`ingress:\n${want}tunnel: x\n`);
    expect(add('ingress: [] # none\ntunnel: x\n')).toBe(`ingress: # none\n${want}tunnel: x\n`);
    expect(merge('tunnel: x\n', ['n.example.com'], [])).toEqual({ text: 'tunnel: x\n', changed: false });
  });

  it('adds a catch-all when the list has none, and refuses one that is not last', () => {
    const noCatchAll = 'ingress:\n- hostname: a.example.org\n  service: http://localhost:1\n';
    expect(merge(noCatchAll, ['n.example.com'], [['n.example.com', 'http://localhost:2']]).text).toBe(
      `${noCatchAll}- hostname: n.example.com\n  service: http://localhost:2\n- service: http_status:404\n`,
    );
    const early = 'ingress:\n  - service: http_status:404\n  - hostname: a.b.c\n    service: http://x\n';
    expect(appError(() => merge(early, [], [['n.example.com', 'http://x']])).code).toBe('VALIDATION_FAILED');
  });

  it('places a new rule before a foreign wildcard that would shadow it', () => {
    const text =
      'ingress:\n  - hostname: "*.example.com"\n    service: http://localhost:80\n  - service: http_status:404\n';
    const r = merge(text, ['n.example.com'], [['n.example.com', 'http://localhost:2']]);
    expect(r.text).toBe(
      'ingress:\n  - hostname: n.example.com\n    service: http://localhost:2\n  - hostname: "*.example.com"\n    service: http://localhost:80\n  - service: http_status:404\n',
    );
  });

  it('rewrites non-canonical managed rules and drops duplicates', () => {
    const text =
      'ingress:\n  - hostname: a.example.com # old\n    path: ^/x\n    service: http://localhost:1\n  - hostname: A.EXAMPLE.COM\n    service: http://localhost:1\n  - service: http_status:404\n';
    const r = merge(text, ['a.example.com'], [['a.example.com', 'http://localhost:1']]);
    expect(r.text).toBe(
      'ingress:\n  - hostname: a.example.com\n    service: http://localhost:1\n  - service: http_status:404\n',
    );
  });

  it('keeps CRLF line endings and files without a final newline', () => {
    const text = 'ingress:\r\n  - service: http_status:404';
    const r = merge(text, [], [['n.example.com', 'http://localhost:2']]);
    expect(r.text).toBe(
      'ingress:\r\n  - hostname: n.example.com\r\n    service: http://localhost:2\r\n  - service: http_status:404',
    );
  });

  it('refuses flow-style ingress lists it cannot edit line by line', () => {
    const text = 'ingress: [{service: "http_status:404"}]\n';
    expect(appError(() => merge(text, [], [['n.example.com', 'http://x']])).code).toBe('VALIDATION_FAILED');
  });

  it('reports YAML errors as validation errors', () => {
    expect(appError(() => merge('ingress: [\n', [], [])).code).toBe('VALIDATION_FAILED');
  });
});
