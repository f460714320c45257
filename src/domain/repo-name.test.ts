import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  composeProjectName,
  isSafeRepoName,
  nextFreeRepoName,
  parseOwnerRepo,
  parseRepoName,
  slugify,
} from './repo-name.js';

describe('repo names', () => {
  it('accepts lowercase hyphenated names up to 100 characters', () => {
    expect(isSafeRepoName('my-app-2')).toBe(true);
    expect(isSafeRepoName('a'.repeat(100))).toBe(true);
    for (const n of ['', 'My-App', 'a--b', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(101), 'a b']) {
      expect(isSafeRepoName(n), n).toBe(false);
    }
    expect(parseRepoName('ok-name')).toBe('ok-name');
    expect(() => parseRepoName('Bad')).toThrow(AppError);
  });

  it('finds a free name with numeric suffixes, case-insensitively and within 100 chars', () => {
    expect(nextFreeRepoName('app', new Set())).toBe('app');
    expect(nextFreeRepoName('app', new Set(['APP', 'app-2']))).toBe('app-3');
    const long = 'a'.repeat(100);
    const next = nextFreeRepoName(long, new Set([long]));
    expect(next).toHaveLength(100);
    expect(next.endsWith('-2')).toBe(true);
  });

  it('keeps suffixed names safe when the base is safe', () => {
    const safe = fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}$/);
    fc.assert(
      fc.property(safe, fc.array(fc.nat({ max: 5 })), (base, ns) => {
        const taken = new Set([base, ...ns.map((n) => `${base}-${n}`)]);
        const name = nextFreeRepoName(base, taken);
        expect(taken.has(name)).toBe(false);
        expect(isSafeRepoName(name)).toBe(true);
      }),
    );
  });
});

describe('slugify', () => {
  it('makes compose-safe slugs', () => {
    expect(slugify('My Cool App!')).toBe('my-cool-app');
    expect(slugify('Café Déjà-vu')).toBe('cafe-deja-vu');
    expect(slugify('__init__')).toBe('init');
    expect(slugify('!!!')).toBe('project');
    expect(composeProjectName('Wiki')).toBe('warp-wiki');
  });

  it('always returns [a-z0-9-] starting and ending with a letter or digit', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const slug = slugify(s);
        expect(slug).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
        expect(slug.length).toBeLessThanOrEqual(50);
        expect(composeProjectName(s)).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      }),
    );
  });
});

describe('parseOwnerRepo', () => {
  it('parses valid pairs', () => {
    expect(parseOwnerRepo('octo-org/my.repo_1')).toEqual({ owner: 'octo-org', repo: 'my.repo_1' });
    expect(parseOwnerRepo(`${'a'.repeat(39)}/${'b'.repeat(100)}`).owner).toHaveLength(39);
  });

  it('rejects invalid owners and repos', () => {
    const bad = [
      '',
      'owner',
      'a/b/c',
      '-a/b',
      'a-/b',
      'a--b/c',
      `${'a'.repeat(40)}/b`,
      'a/.',
      'a/..',
      'a/b c',
    ];
    for (const s of [...bad, `a/${'b'.repeat(101)}`, 'a_b/c']) {
      expect(() => parseOwnerRepo(s), s).toThrow(AppError);
    }
  });

  it('only ever throws AppError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          parseOwnerRepo(s);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});
