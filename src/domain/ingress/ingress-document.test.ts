import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { parseIngressConfig } from './ingress-document.js';

const catchError = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
};

describe('parseIngressConfig', () => {
  it('reads rules in file order with absent fields as null', () => {
    const { rules, doc } = parseIngressConfig(
      [
        'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef # id',
        'ingress:',
        '  - hostname: app.example.com',
        '    path: ^/api',
        '    service: http://localhost:8000',
        '    originRequest:',
        '      noTLSVerify: true',
        '  - service: http_status:404',
        '',
      ].join('\n'),
    );
    expect(rules).toEqual([
      {
        hostname: 'app.example.com',
        path: '^/api',
        service: 'http://localhost:8000',
        originRequest: { noTLSVerify: true },
      },
      { hostname: null, path: null, service: 'http_status:404' },
    ]);
    expect(doc.get('tunnel')).toBe('6ff42ae2-765d-4adf-8112-31c55c1551ef');
  });

  it('treats a missing, empty or [] ingress as no rules', () => {
    expect(parseIngressConfig('tunnel: x\n').rules).toEqual([]);
    expect(parseIngressConfig('ingress:\n').rules).toEqual([]);
    expect(parseIngressConfig('ingress: []\n').rules).toEqual([]);
    expect(parseIngressConfig('').rules).toEqual([]);
    expect(parseIngressConfig('# only a comment\n').rules).toEqual([]);
  });

  it('stringifies scalar values and resolves aliases', () => {
    const { rules } = parseIngressConfig(
      'x: &svc http://a:1\ningress:\n  - hostname: 123\n    service: *svc\n',
    );
    expect(rules[0]).toEqual({ hostname: '123', path: null, service: 'http://a:1' });
  });

  it('reports YAML syntax errors as validation errors', () => {
    const err = catchError(() => parseIngressConfig('ingress: [\n  - a: b\n'));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details?.[0]?.path).toBe('config');
  });

  it('rejects duplicate keys, non-mapping roots, non-list ingress and non-mapping rules', () => {
    expect(catchError(() => parseIngressConfig('a: 1\na: 2\n')).code).toBe('VALIDATION_FAILED');
    expect(catchError(() => parseIngressConfig('- a\n- b\n')).message).toMatch(/mapping/);
    expect(catchError(() => parseIngressConfig('ingress: yes\n')).details?.[0]?.path).toBe('ingress');
    expect(catchError(() => parseIngressConfig('ingress:\n  - just a string\n')).details?.[0]?.path).toBe(
      'ingress[0]',
    );
    expect(catchError(() => parseIngressConfig('ingress:\n  - service: [a]\n')).details?.[0]?.path).toBe(
      'ingress[0].service',
    );
  });
});
