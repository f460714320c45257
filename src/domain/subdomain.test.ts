import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  hostnameFor,
  isInsideDomain,
  isValidDomain,
  parseDomain,
  parseSubdomain,
  RESERVED_SUBDOMAINS,
} from './subdomain.js';

describe('parseSubdomain', () => {
  it('accepts one DNS label and lowercases it', () => {
    expect(parseSubdomain('app')).toBe('app');
    expect(parseSubdomain('My-App2')).toBe('my-app2');
    expect(parseSubdomain('a')).toBe('a');
    expect(parseSubdomain('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it('rejects non-labels and reserved names', () => {
    for (const s of ['', 'a.b', '-a', 'a-', 'a_b', 'a'.repeat(64), 'ä', ' a', '*']) {
      expect(() => parseSubdomain(s), s).toThrow(AppError);
    }
    for (const s of RESERVED_SUBDOMAINS) expect(() => parseSubdomain(s)).toThrow(/reserved/);
    expect(() => parseSubdomain('WWW')).toThrow(/reserved/);
  });

  it('only ever throws AppError and returns valid labels', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          expect(parseSubdomain(s)).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).details?.[0]?.path).toBe('subdomain');
        }
      }),
    );
  });
});

describe('domains', () => {
  it('validates base domains', () => {
    expect(isValidDomain('example.com')).toBe(true);
    expect(isValidDomain('Sub.Example.CO.uk')).toBe(true);
    expect(isValidDomain('com')).toBe(false);
    expect(isValidDomain('1.2.3.4')).toBe(false);
    expect(isValidDomain('a..com')).toBe(false);
    expect(isValidDomain('-a.com')).toBe(false);
    expect(isValidDomain(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`)).toBe(
      true,
    );
    expect(isValidDomain(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`)).toBe(
      false,
    );
    expect(parseDomain('Example.COM.')).toBe('example.com');
    expect(() => parseDomain('nope')).toThrow(AppError);
  });

  it('builds hostnames and tests containment', () => {
    expect(hostnameFor('App', 'Example.com')).toBe('app.example.com');
    expect(() => hostnameFor('www', 'example.com')).toThrow(/reserved/);
    expect(isInsideDomain('app.example.com', 'example.com')).toBe(true);
    expect(isInsideDomain('a.b.Example.com.', 'example.com')).toBe(true);
    expect(isInsideDomain('example.com', 'example.com')).toBe(true);
    expect(isInsideDomain('badexample.com', 'example.com')).toBe(false);
    expect(isInsideDomain('app.example.org', 'example.com')).toBe(false);
    expect(isInsideDomain('x', '')).toBe(false);
  });

  it('hostnameFor always yields a hostname inside the base domain', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,20}$/), (sub) => {
        if (RESERVED_SUBDOMAINS.has(sub)) return;
        expect(isInsideDomain(hostnameFor(sub, 'example.com'), 'example.com')).toBe(true);
      }),
    );
  });
});
