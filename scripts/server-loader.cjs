#!/usr/bin/env node
// dist/src/cli.js — written by scripts/build-server.mjs from scripts/server-loader.cjs. Runs the bundled
// server (server.cjs) with V8's code cache (server.cache, made at build time by one warm-up start): V8 then
// deserializes the functions a start runs instead of parsing and compiling them, which is most of what a
// start costs. A cache made by another Node/V8 build (or with other V8 flags) is rejected by V8 itself,
// and the server is compiled from its source as it would be without one.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, 'server.cjs');
// V8 takes a cache only under the flags it was made with: one is made with the unit's and the image's
// `--max-semi-space-size=2` (also `npm start`'s), one with none (the `warp-panel` bin, `node dist/src/cli.js`).
const cacheFile = path.join(
  __dirname,
  process.execArgv.includes('--max-semi-space-size=2') ? 'server.cache' : 'server.plain.cache',
);
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // no cache: compile from source
}
// The file is one function expression: CommonJS's module arguments plus the importer below.
const script = new vm.Script(fs.readFileSync(file, 'utf8'), {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});
// The build's warm-up run (argv: `--write-code-cache serve`) writes the cache as the process exits, so it
// holds every function the start and the first requests compiled.
const writeCache = process.argv[2] === '--write-code-cache';
if (writeCache) {
  process.argv.splice(2, 1);
  process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
  // The build stops it right after its first answers, maybe before the panel's own SIGTERM handler is in
  // place (that comes once every watch has started): exit through 'exit' either way.
  process.once('SIGTERM', () => process.exit(0));
}
const mod = { exports: {} };
const requireFromBundle = Module.createRequire(file);
// CommonJS packages outside the bundle (the database drivers every start loads, the argon2 addon): required,
// they skip the ES module loader an import() would start for them; their exports are the namespace.
const COMMONJS = new Set(['better-sqlite3', 'pg', '@node-rs/argon2']);
// Dynamic imports of packages outside the bundle go through this file: a script compiled with a code cache
// cannot import() itself, a real module can (the bundle calls `__warpImport(specifier)`).
const importer = (specifier) =>
  COMMONJS.has(specifier)
    ? Promise.resolve().then(() => {
        const exports = requireFromBundle(specifier);
        return { ...exports, default: exports };
      })
    : import(specifier);
script.runInThisContext()(mod.exports, requireFromBundle, mod, file, __dirname, importer);
