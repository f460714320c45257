// Build what is stale so `npm start` works on a fresh clone: the server (tsc → dist/src) when dist/ is older
// than src/, and the web UI (vite → dist/web) when dist/web is older than web/. `--web` builds only the UI
// (the e2e tests use that). A lock directory keeps parallel callers from building the UI at the same time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const webOnly = process.argv.includes('--web');

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const mtime = newestMtime(path.join(target, entry.name));
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function buildServer() {
  const entry = path.join(root, 'dist/src/cli.js');
  const stale = !existsSync(entry) || newestMtime(path.join(root, 'src')) > statSync(entry).mtimeMs;
  if (stale) run([path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}

const webIndex = path.join(root, 'dist/web/index.html');
const webStale = () =>
  !existsSync(webIndex) ||
  Math.max(newestMtime(path.join(root, 'web')), newestMtime(path.join(root, 'src/http/schemas.ts'))) >
    statSync(webIndex).mtimeMs;

function buildWeb() {
  if (!webStale()) return;
  const lock = path.join(root, 'dist/.web-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds: wait for it, then re-check; break a lock left by a crash after 3 minutes.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 180_000)
        rmSync(lock, { recursive: true, force: true });
      sleep(250);
      if (!existsSync(lock) && !webStale()) return;
    }
  }
  try {
    if (webStale())
      run([
        path.join(root, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'web/vite.config.ts',
        '--logLevel',
        'warn',
      ]);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (!webOnly) buildServer();
buildWeb();
