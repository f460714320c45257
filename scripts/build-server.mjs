// Bundle the server into dist/src/cli.js (the entry the systemd unit, the image and `bin` point at), with
// the code that only some requests need in chunks beside it (loaded by dynamic import on first use).
// One file instead of ~1,500 modules: Node resolves, reads and compiles one script at start, and the source
// V8 keeps in memory is minified. Packages stay outside the bundle when they are native, load optional
// parts dynamically, or read files next to their own sources (see EXTERNAL).
// Usage: node scripts/build-server.mjs [--outdir <dir>] [--metafile <file>]
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : path.resolve(process.argv[i + 1]);
};
const outdir = arg('--outdir', path.join(root, 'dist/src'));
const metafile = arg('--metafile', null);

/** Loaded from node_modules at run time (each is reached by a dynamic import, or only from one that is). */
export const EXTERNAL = [
  // native addons
  'better-sqlite3',
  '@node-rs/argon2',
  // optional native parts (pg-native; ssh2/cpu-features) are required dynamically inside these
  'pg',
  'dockerode',
  // large SDKs loaded on first use
  'cloudflare',
  '@octokit/*',
  // serves files from its own package folder (static/), so it must stay where it is installed
  '@fastify/swagger-ui',
  // Fastify's default schema compilers (Ajv, fast-json-stringify: ~350 KB) and its inject(): Fastify
  // requires them only when an instance has no compilers of its own (the panel's use zod's, see
  // src/http/schema-compilers.ts) or on the first inject(); kept out of the source every start compiles.
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'light-my-request',
];

/**
 * zod's `z.locales` re-exports every translation of its error messages (~300 KB, half of zod); the panel
 * uses the English one zod configures by default. Keep only that one in the bundle.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'warp-stub' } : undefined,
    );
    b.onLoad({ filter: /^zod-locales$/, namespace: 'warp-stub' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(root, 'node_modules/zod/v4/locales/en.js'))};`,
      resolveDir: root,
    }));
  },
};

fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Chunks sit next to cli.js: code that finds package.json or dist/web from its own location works alike.
  chunkNames: '[name]-[hash]',
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __warpCreateRequire } from 'node:module'; const require = __warpCreateRequire(import.meta.url);",
  },
  // Identifiers stay readable (stack traces, logs); whitespace, comments and dead code go.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
  plugins: [zodEnglishOnly],
  metafile: metafile !== null,
  logLevel: 'warning',
});
if (metafile) fs.writeFileSync(metafile, JSON.stringify(result.metafile));
