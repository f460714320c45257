import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  CONTAINER_NAME,
  inferContainerName,
  isContainerId,
  isValidContainerName,
  isValidImageReference,
  nextFreeName,
  parseImageReference,
} from './image-reference.js';

describe('parseImageReference', () => {
  it('splits domain, path, tag and digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`localhost:5000/team/api:1.0@${digest}`)).toEqual({
      name: 'localhost:5000/team/api',
      domain: 'localhost:5000',
      path: ['team', 'api'],
      tag: '1.0',
      digest,
      registry: 'localhost:5000',
      repository: 'localhost:5000/team/api',
      familiarName: 'localhost:5000/team/api',
    });
    expect(parseImageReference('excalidraw/excalidraw:latest')).toMatchObject({
      domain: null,
      path: ['excalidraw', 'excalidraw'],
      tag: 'latest',
    });
    expect(parseImageReference('ghcr.io/org/app:1.2').domain).toBe('ghcr.io');
    expect(parseImageReference('Registry/app').domain).toBe('Registry');
    expect(parseImageReference('[::1]:5000/app').domain).toBe('[::1]:5000');
  });

  it('rejects anything outside the grammar', () => {
    const bad = [
      '',
      'nginx; rm -rf /',
      'nginx latest',
      '$(id)',
      'Nginx',
      'org/App',
      'a//b',
      'app:',
      'app@sha256:abc',
      '-app',
      'app-',
      `${'a'.repeat(256)}`,
      // A short name counts with its `library/` prefix: 8 + 255 > 255.
      'a'.repeat(255),
      'a'.repeat(64),
      'app:tag with space',
      'app:',
      'app\n',
    ];
    for (const ref of bad) expect(isValidImageReference(ref), ref).toBe(false);
    expect(isValidImageReference('a'.repeat(247))).toBe(true);
    expect(isValidImageReference(`example.com/${'a'.repeat(255)}`)).toBe(true);
  });

  it('throws validation errors naming the image field', () => {
    try {
      parseImageReference('bad ref');
      expect.fail('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).details?.[0]?.path).toBe('image');
    }
  });
});

describe('inferContainerName', () => {
  it('takes the last path component', () => {
    expect(inferContainerName('excalidraw/excalidraw:latest')).toBe('excalidraw');
    expect(inferContainerName('ghcr.io/org/app:1.2')).toBe('app');
    expect(inferContainerName('nginx')).toBe('nginx');
    expect(inferContainerName(`localhost:5000/team/api@sha256:${'0'.repeat(64)}`)).toBe('api');
    expect(inferContainerName('docker.io/library/redis:7')).toBe('redis');
    expect(inferContainerName('my_org/some__svc.v2')).toBe('some__svc.v2');
  });

  it('pads one-character names to satisfy Docker', () => {
    expect(inferContainerName('x/y')).toBe('y-app');
    expect(inferContainerName('x')).toBe('x-app');
  });

  it('always yields a valid container name for a valid reference', () => {
    const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/);
    const ref = fc
      .tuple(
        fc.option(fc.constantFrom('ghcr.io', 'localhost:5000', 'Registry.Local', 'example.com:443')),
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/)),
      )
      .map(([d, p, t]) => `${d ? `${d}/` : ''}${p.join('/')}${t ? `:${t}` : ''}`)
      .filter((r) => r.length < 200 && !/^[a-f0-9]{64}/.test(r));
    fc.assert(
      fc.property(ref, (r) => {
        expect(isValidContainerName(inferContainerName(r))).toBe(true);
      }),
    );
  });

  it('throws nothing but AppError for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          const name = inferContainerName(s);
          expect(name).toMatch(CONTAINER_NAME);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});

describe('container names and ids', () => {
  it('follows Docker rules', () => {
    expect(isValidContainerName('ab')).toBe(true);
    expect(isValidContainerName('a')).toBe(false);
    expect(isValidContainerName('_ab')).toBe(false);
    expect(isValidContainerName('A.b_c-d')).toBe(true);
    expect(isValidContainerName('a b')).toBe(false);
    expect(isContainerId('0123456789ab')).toBe(true);
    expect(isContainerId('0123456789a')).toBe(false);
    expect(isContainerId('0123456789AB')).toBe(false);
    expect(isContainerId('f'.repeat(64))).toBe(true);
    expect(isContainerId('f'.repeat(65))).toBe(false);
  });

  it('finds the next free name with -2, -3 suffixes', () => {
    expect(nextFreeName('app', new Set())).toBe('app');
    expect(nextFreeName('app', new Set(['app', 'app-2', '/app-3']))).toBe('app-4');
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom('a1', 'a1-2', 'a1-3', 'a1-5', 'b')), (taken) => {
        const set = new Set<string>(taken);
        const name = nextFreeName('a1', set);
        expect(set.has(name)).toBe(false);
        expect(name).toMatch(/^a1(-\d+)?$/);
      }),
    );
  });
});
