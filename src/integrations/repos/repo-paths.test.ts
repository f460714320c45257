import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { listComposeFolders, resolveProjectDir } from './repo-paths.js';

let base: string;
let root: string;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-repos-'));
  root = path.join(base, 'repos');
  fs.mkdirSync(path.join(root, 'app'), { recursive: true });
  fs.writeFileSync(path.join(root, 'app', 'docker-compose.yml'), 'services: {}\n');
  fs.writeFileSync(path.join(root, 'app', 'compose.yaml'), 'services: {}\n');
  fs.mkdirSync(path.join(root, 'empty'));
  fs.mkdirSync(path.join(base, 'outside'));
  fs.writeFileSync(path.join(base, 'outside', 'compose.yaml'), 'services: {}\n');
  fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'escape'));
  fs.mkdirSync(path.join(root, 'linked-file'));
  fs.symlinkSync(path.join(base, 'outside', 'compose.yaml'), path.join(root, 'linked-file', 'compose.yaml'));
  fs.symlinkSync(path.join(root, 'app'), path.join(root, 'alias'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : `unexpected ${String(error)}`;
  }
};

describe('resolveProjectDir', () => {
  it('finds the first compose file name in lookup order', async () => {
    const resolved = await resolveProjectDir(root, './app/');
    expect(resolved.relative).toBe('app');
    expect(path.basename(resolved.composeFile)).toBe('compose.yaml');
  });

  it('follows a symlink that stays inside the root', async () => {
    const resolved = await resolveProjectDir(root, 'alias');
    expect(resolved.dir).toBe(fs.realpathSync(path.join(root, 'app')));
    // The folder's own name, so one folder cannot be deployed twice under two names.
    expect(resolved.relative).toBe('app');
  });

  it.each([
    ['../outside'],
    ['escape'],
    ['/etc'],
    ['app/../../outside'],
    ['empty'],
    ['missing'],
    ['linked-file'],
    ['app\0'],
    ['.'],
  ])('refuses %j', async (input) => {
    expect(await codeOf(resolveProjectDir(root, input))).toBe('VALIDATION_FAILED');
  });

  it('never resolves outside the root, whatever the input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (input) => {
        try {
          const resolved = await resolveProjectDir(root, input);
          expect(resolved.dir.startsWith(fs.realpathSync(root) + path.sep)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('listComposeFolders', () => {
  it('lists direct real sub-folders holding a compose file', async () => {
    const names = (await listComposeFolders(root)).map((f) => f.name);
    // Symlinked folders are not listed: a listing never leads outside the root.
    expect(names).toEqual(['app']);
  });
});
