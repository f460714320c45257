/**
 * Floors: what the panel's figures would be if it did nothing but what the figure needs, on its own stack
 * (bench/lib/floors/*). They are context beside a target, not references: a missed target whose floor is
 * missed too cannot be met by this code, only by another stack.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { SOCKET } from './engine.js';
import { ROOT } from './processes.js';

const DIR = path.join(ROOT, 'bench/lib/floors');

/** As scripts/build-server.mjs does for the panel: zod's English messages only. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b: import('esbuild').PluginBuild) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'floor-stub' } : undefined,
    );
    b.onLoad({ filter: /^zod-locales$/, namespace: 'floor-stub' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(ROOT, 'node_modules/zod/v4/locales/en.js'))};`,
      resolveDir: ROOT,
    }));
  },
};

/** Bundle the stack floor into one file (as the panel is), in a temp dir; returns its path. */
export async function buildStackFloor(): Promise<{
  file: string;
  env: Record<string, string>;
  remove(): void;
}> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-floor-'));
  const file = path.join(out, 'stack-server.mjs');
  await build({
    entryPoints: [path.join(DIR, 'stack-server.mjs')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: ['better-sqlite3'],
    minifyWhitespace: true,
    minifySyntax: true,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    plugins: [zodEnglishOnly],
    logLevel: 'warning',
  });
  return {
    file,
    env: { FLOOR_ROOT: ROOT },
    remove: () => fs.rmSync(out, { recursive: true, force: true }),
  };
}

/** The bare Node list presenter and the environment it needs. */
export const LIST_PRESENTER = { file: path.join(DIR, 'list-presenter.mjs'), env: { FLOOR_SOCKET: SOCKET } };
