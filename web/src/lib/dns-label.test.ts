import { describe, expect, it } from 'vitest';
import { DNS_LABEL, hostnamePreview, subdomainProblem } from './dns-label.js';

describe('subdomainProblem', () => {
  it('accepts API.md-valid labels', () => {
    for (const ok of ['a', 'app', 'my-app-2', '0', 'a'.repeat(63)]) {
      expect(subdomainProblem(ok), ok).toBeNull();
      expect(DNS_LABEL.test(ok)).toBe(true);
    }
  });

  it('explains each kind of invalid label', () => {
    expect(subdomainProblem('')).toMatch(/Enter/);
    expect(subdomainProblem('a'.repeat(64))).toMatch(/63/);
    expect(subdomainProblem('a.b')).toMatch(/no dots/);
    expect(subdomainProblem('App')).toMatch(/lower-case/);
    expect(subdomainProblem('my_app')).toMatch(/Only letters/);
    expect(subdomainProblem('-app')).toMatch(/hyphen/);
    expect(subdomainProblem('app-')).toMatch(/hyphen/);
  });

  it('agrees with the API regex on a sample of strings', () => {
    const samples = ['ab', 'a-b', '--', 'a--b', 'é', 'a b', 'x'.repeat(62), '1-1'];
    for (const s of samples) expect(subdomainProblem(s) === null, s).toBe(DNS_LABEL.test(s));
  });

  it('previews the hostname', () => {
    expect(hostnamePreview('app', 'example.com')).toBe('app.example.com');
    expect(hostnamePreview('', null)).toBe('<subdomain>.<base domain not set>');
  });
});
