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
  // requires its optional native part (pg-native) dynamically
  'pg',
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

/**
 * dockerode is bundled (into the chunk its dynamic import loads), except the parts of it and of
 * docker-modem that only some hosts or builds use and that would cost ~19 MB the moment the first
 * Docker call loads dockerode: SSH transport (ssh2, its native and WebAssembly crypto: DOCKER_HOST=ssh://
 * only), BuildKit sessions (gRPC, protobuf) and BuildKit progress decoding. Each is replaced by a stub
 * that requires the real module from node_modules on its first call; they read files next to themselves
 * (.proto), so they must stay where they are installed anyway.
 */
const LAZY_PARTS = [
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './session', real: 'dockerode/lib/session.js', kind: 'function' },
  { importer: /dockerode[\\/]lib[\\/]docker\.js$/, path: './buildkit', real: 'dockerode/lib/buildkit.js', kind: 'object' },
  { importer: /docker-modem[\\/]lib[\\/]modem\.js$/, path: './ssh', real: 'docker-modem/lib/ssh.js', kind: 'function' },
];
const lazyParts = {
  name: 'lazy-parts',
  setup(b) {
    b.onResolve({ filter: /^\.\/(session|buildkit|ssh)$/ }, (args) => {
      const part = LAZY_PARTS.find((p) => p.path === args.path && p.importer.test(args.importer));
      return part ? { path: part.real, namespace: 'warp-lazy', pluginData: part } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'warp-lazy' }, (args) => {
      const { real, kind } = args.pluginData;
      const load = `let real; const load = () => (real ??= require(${JSON.stringify(real)}));`;
      return {
        loader: 'js',
        contents:
          kind === 'function'
            ? `${load} module.exports = function () { return load().apply(this, arguments); };`
            : `${load} module.exports = new Proxy({}, { get: (_, key) => load()[key] });`,
      };
    });
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
  external: [...EXTERNAL, ...LAZY_PARTS.map((p) => p.real)],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __warpCreateRequire } from 'node:module'; const require = __warpCreateRequire(import.meta.url);",
  },
  // Identifiers stay readable (stack traces, logs); whitespace, comments and dead code go.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
  plugins: [zodEnglishOnly, lazyParts],
  metafile: metafile !== null,
  logLevel: 'warning',
});
if (metafile) fs.writeFileSync(metafile, JSON.stringify(result.metafile));
