// Bundle the server into one script, dist/src/server.cjs, run by dist/src/cli.js (the entry the systemd
// unit, the image and `bin` point at; scripts/server-loader.cjs) with V8's code cache, dist/src/server.cache,
// which this script makes by starting the built server once (warm-up: start, /healthz, stop).
// One file instead of ~1,500 modules: Node resolves, reads and compiles one script at start, V8 deserializes
// what a start runs instead of compiling it, and the source it keeps in memory is minified. What only some
// requests need (Swagger, the web UI's files, dockerode) is in the file but evaluated on first use only.
// Packages stay outside when they are native, load optional parts dynamically, or read files next to their
// own sources (see EXTERNAL).
// Usage: node scripts/build-server.mjs [--outdir <dir>] [--metafile <file>] [--no-code-cache] [--sourcemap]
// (--sourcemap writes server.cjs.map beside it, for reading CPU profiles of the bundle by source file)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
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
 * Modules replaced by a stub that requires the real one on its first use. dockerode's and docker-modem's
 * parts that only some hosts or builds use and that would cost ~19 MB the moment the first Docker call
 * loads dockerode: SSH transport (ssh2, its native and WebAssembly crypto: DOCKER_HOST=ssh:// only),
 * BuildKit sessions (gRPC, protobuf) and BuildKit progress decoding — they read files next to themselves
 * (.proto), so they stay where they are installed. And Fastify's `https` and `http2` (it requires both at
 * load; the panel serves plain HTTP, so neither is ever used).
 */
const LAZY_PARTS = [
  {
    importer: /dockerode[\\/]lib[\\/]docker\.js$/,
    path: './session',
    real: 'dockerode/lib/session.js',
    kind: 'function',
  },
  {
    importer: /dockerode[\\/]lib[\\/]docker\.js$/,
    path: './buildkit',
    real: 'dockerode/lib/buildkit.js',
    kind: 'object',
  },
  {
    importer: /docker-modem[\\/]lib[\\/]modem\.js$/,
    path: './ssh',
    real: 'docker-modem/lib/ssh.js',
    kind: 'function',
  },
  { importer: /fastify[\\/]lib[\\/]server\.js$/, path: 'node:https', real: 'node:https', kind: 'object' },
  { importer: /fastify[\\/]lib[\\/]server\.js$/, path: 'node:http2', real: 'node:http2', kind: 'object' },
];
const lazyParts = {
  name: 'lazy-parts',
  setup(b) {
    b.onResolve({ filter: /^(\.\/(session|buildkit|ssh)|node:https|node:http2)$/ }, (args) => {
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
const server = path.join(outdir, 'server.cjs');
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: server,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  external: [...EXTERNAL, ...LAZY_PARTS.map((p) => p.real).filter((r) => !r.startsWith('node:'))],
  // The bundle runs as CommonJS (a code cache needs a script, not a module): import.meta from its file.
  define: {
    'import.meta.url': '__warpImportMetaUrl',
    'import.meta.dirname': '__dirname',
    'import.meta.filename': '__filename',
  },
  banner: { js: 'const __warpImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Identifiers stay readable (stack traces, logs); whitespace, comments and dead code go.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
  plugins: [zodEnglishOnly, lazyParts],
  metafile: metafile !== null,
  logLevel: 'warning',
  sourcemap: process.argv.includes('--sourcemap') ? 'external' : false,
  write: false,
});
const output = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext));
// Dynamic imports of packages left outside go through the loader (see server-loader.cjs); the bundle's own
// dynamic imports esbuild already turned into lazy initialisers. The hashbang stays with the loader.
// (The hashbang's line stays, empty, so the source map's lines still match.)
let code = output('.cjs').text.replace(/^#!.*\n/, '\n');
for (const name of new Set(code.match(/\bimport\("([^"]+)"\)/g) ?? [])) {
  const specifier = /"([^"]+)"/.exec(name)[1];
  if (!EXTERNAL.some((e) => (e.endsWith('/*') ? specifier.startsWith(e.slice(0, -1)) : specifier === e)))
    throw new Error(`unexpected dynamic import left in the bundle: ${name}`);
  code = code.replaceAll(name, `__warpImport(${JSON.stringify(specifier)})`);
}
fs.mkdirSync(outdir, { recursive: true });
// Written already wrapped as the loader runs it (a function of CommonJS's arguments plus the importer), so
// the loader compiles the file's text as it is, without building a second 2 MB string around it.
fs.writeFileSync(
  server,
  `(function (exports, require, module, __filename, __dirname, __warpImport) {${code}\n})`,
);
// CommonJS for cli.js, whatever the package's "type" says (no ES module loader to start either).
fs.writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
const entry = path.join(outdir, 'cli.js');
fs.copyFileSync(path.join(root, 'scripts/server-loader.cjs'), entry);
fs.chmodSync(entry, 0o755);
if (metafile) fs.writeFileSync(metafile, JSON.stringify(result.metafile));
if (output('.map')) fs.writeFileSync(`${server}.map`, output('.map').text);
if (!process.argv.includes('--no-code-cache')) {
  await writeCodeCache(entry, ['--max-semi-space-size=2'], 'server.cache');
  await writeCodeCache(entry, [], 'server.plain.cache');
}

/** A port nothing listens on now. */
async function freePort() {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * Start the built server once on a throwaway data dir with `flags`, ask /healthz and an API route, stop it:
 * the loader writes the code cache (`name`) as it exits. Without a cache the server only starts slower, so a
 * failure here is a warning, not a failed build.
 */
async function writeCodeCache(cli, flags, name) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-code-cache-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...flags, cli, '--write-code-cache', 'serve'], {
    env: {
      PATH: process.env.PATH,
      HOME: os.homedir(),
      WARP_DATA_DIR: dataDir,
      WARP_PORT: String(port),
      WARP_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (child.exitCode !== null || i > 600) throw new Error(stderr || 'the server did not answer');
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await fetch(`${base}/api/v1/settings`).then((r) => r.text());
    child.kill('SIGTERM');
    await exited;
    const cache = path.join(path.dirname(cli), name);
    if (!fs.existsSync(cache)) throw new Error('no cache written');
    // The panel wrote it under its umask; whoever runs the install (the image's user) must read it.
    fs.chmodSync(cache, 0o644);
  } catch (err) {
    child.kill('SIGKILL');
    process.stderr.write(`build-server: no code cache (the server starts slower): ${err.message}\n`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
