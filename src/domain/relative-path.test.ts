import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { validateRelativePath } from './relative-path.js';

describe('validateRelativePath', () => {
  it('normalises valid relative paths', () => {
    expect(validateRelativePath('app')).toBe('app');
    expect(validateRelativePath('./org//app/')).toBe('org/app');
    expect(validateRelativePath('a/./b')).toBe('a/b');
    expect(validateRelativePath('my app/v1.2')).toBe('my app/v1.2');
    expect(validateRelativePath('..hidden/x..y')).toBe('..hidden/x..y');
  });

  it('rejects unsafe paths', () => {
    const bad = [
      '',
      '  ',
      '/etc',
      '../x',
      'a/../../b',
      'a/..',
      'a\\b',
      'a\0b',
      'a\nb',
      'C:/x',
      '~/x',
      '.',
      './',
      'x'.repeat(1025),
      `${'x'.repeat(256)}/a`,
    ];
    for (const p of bad) expect(() => validateRelativePath(p), JSON.stringify(p)).toThrow(AppError);
  });

  it('names the field in details', () => {
    try {
      validateRelativePath('/abs', 'folder');
      expect.fail('should throw');
    } catch (e) {
      expect((e as AppError).details?.[0]?.path).toBe('folder');
    }
  });

  it('never returns something that escapes the root, and only throws AppError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '..', '.', '', 'b c', '\\', '/', '\0', 'x..'), { maxLength: 8 }),
        (parts) => {
          try {
            const out = validateRelativePath(parts.join('/'));
            expect(out.startsWith('/')).toBe(false);
            expect(out.split('/')).not.toContain('..');
            expect(out.split('/')).not.toContain('.');
            expect(out.split('/')).not.toContain('');
          } catch (e) {
            expect(e).toBeInstanceOf(AppError);
          }
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (s) => {
        try {
          validateRelativePath(s);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});
