import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envProblems, isValidEnvName, MAX_ENV_VALUE_BYTES, parseEnvVars, toDockerEnv } from './env-vars.js';
import { AppError } from './errors.js';

describe('env vars', () => {
  it('accepts valid maps and converts them to Docker form', () => {
    const env = parseEnvVars({ PORT: '8080', _x1: '', DATABASE_URL: 'postgres://a=b' });
    expect(toDockerEnv(env)).toEqual(['PORT=8080', '_x1=', 'DATABASE_URL=postgres://a=b']);
  });

  it('names each bad entry with env.NAME', () => {
    const problems = envProblems({
      '1BAD': 'x',
      'A-B': 'x',
      OK: 1,
      NUL: 'a\0b',
      BIG: 'é'.repeat(MAX_ENV_VALUE_BYTES),
    });
    expect(problems.map((p) => p.path)).toEqual(['env.1BAD', 'env.A-B', 'env.OK', 'env.NUL', 'env.BIG']);
  });

  it('bounds the number of entries and rejects non-objects', () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`V${i}`, 'x']));
    expect(envProblems(many)).toEqual([{ path: 'env', message: 'at most 200 variables are allowed' }]);
    expect(envProblems(['A=b'])[0]?.path).toBe('env');
    expect(envProblems(null)[0]?.path).toBe('env');
    expect(() => parseEnvVars({ 'a b': 'x' })).toThrow(AppError);
  });

  it('accepts exactly the portable names', () => {
    expect(isValidEnvName('a'.repeat(256))).toBe(true);
    expect(isValidEnvName('a'.repeat(257))).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (name) => {
        expect(isValidEnvName(name)).toBe(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
      }),
    );
  });

  it('only ever throws AppError', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        try {
          parseEnvVars(v);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});
