import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envSchema } from './config.schema.js';
import { ENV_FORMS } from './env-forms.js';
import { loadConfig } from './load-config.js';

const text = fs.readFileSync(path.resolve(import.meta.dirname, '../../.env.example'), 'utf8');
const lines = text.split('\n');
/** `VAR=` or `# VAR=` lines: the variables the example documents. */
const documented = lines.flatMap((l, i) => {
  const m = /^(?:# )?([A-Z][A-Z0-9_]+)=/.exec(l);
  return m ? [{ name: m[1]!, index: i }] : [];
});

describe('.env.example', () => {
  it('lists every variable of the config schema, and no other', () => {
    expect(documented.map((d) => d.name).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('gives each variable the accepted forms the config errors use', () => {
    for (const { name, index } of documented) {
      const comments: string[] = [];
      for (let i = index - 1; i >= 0 && lines[i]!.startsWith('#') && !/^# [A-Z0-9_]+=/.test(lines[i]!); i--) {
        comments.push(lines[i]!);
      }
      expect(comments, name).toContain(`# Accepts: ${ENV_FORMS[name as keyof typeof ENV_FORMS]}`);
    }
  });

  it('holds values the panel accepts as they are', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-env-example-'));
    const values = parseEnv(text) as Record<string, string>;
    expect(Object.keys(values).length).toBeGreaterThan(10);
    expect(() => loadConfig(values, cwd)).not.toThrow();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
