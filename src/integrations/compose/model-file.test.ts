import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelFileOf, readPrivateFile, writePrivateFile } from './model-file.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-model-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('model files under the data dir', () => {
  it('writes 0600 in a 0700 folder and replaces a planted symlink instead of following it', async () => {
    const data = tmp();
    const outside = path.join(tmp(), 'victim.txt');
    fs.writeFileSync(outside, 'keep me');
    const file = modelFileOf(data, 'p1');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(outside, file);
    await expect(readPrivateFile(file)).rejects.toThrow(/ELOOP|symbolic/);
    await writePrivateFile(file, '{"a":1}');
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readPrivateFile(file)).toBe('{"a":1}');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['compose.json']); // no temp file left
  });

  it('refuses a folder that is a symlink, and ids that are not plain names', async () => {
    const data = tmp();
    const elsewhere = tmp();
    fs.mkdirSync(path.join(data, 'compose'));
    fs.symlinkSync(elsewhere, path.join(data, 'compose', 'p2'));
    await expect(writePrivateFile(modelFileOf(data, 'p2'), 'x')).rejects.toThrow(/not a folder/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(() => modelFileOf(data, '../x')).toThrow();
    expect(await readPrivateFile(path.join(data, 'nope.json'))).toBeNull();
  });
});
