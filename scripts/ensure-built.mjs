// Build what is stale so `npm start` works on a fresh clone: the server (esbuild → dist/src) when dist/ is
// older than src/, and the web UI (vite → dist/web) when dist/web is older than web/. `--web` builds only the
// UI (the e2e tests use that). A lock directory keeps parallel callers from building the UI at the same time.
//
// `npm start` (scripts/start.mjs) calls ensureBuilt() on every start, so its common case — dist/ is current
// — must not walk the source trees: a build leaves dist/.build-stamp.json with a fingerprint of the checkout
// (git HEAD's commit, the git index's mtime, the mtimes of the source folders themselves), and while that
// fingerprint is unchanged the walk is skipped. A pull, checkout, commit, `git add`, or a file added or
// removed changes it. Edits to a tracked file that touch none of those need `npm run build` (or `npm run dev`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stampFile = path.join(root, 'dist/.build-stamp.json');
const serverEntry = path.join(root, 'dist/src/cli.js');
const webIndex = path.join(root, 'dist/web/index.html');
const SOURCE_DIRS = ['src', 'web', 'web/src', 'scripts'];

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

const readText = (file) => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** The checkout's git dir and common dir (a worktree's `.git` is a file naming its own git dir). */
function gitDirs() {
  const dotGit = path.join(root, '.git');
  const stat = statSync(dotGit, { throwIfNoEntry: false });
  if (!stat) return null;
  let gitDir = dotGit;
  if (stat.isFile()) {
    const m = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
    if (!m) return null;
    gitDir = path.resolve(root, m[1]);
  }
  const common = readText(path.join(gitDir, 'commondir'));
  return { gitDir, commonDir: common ? path.resolve(gitDir, common) : gitDir };
}

/** The commit HEAD points at, read from the ref files (no git process). */
function headCommit({ gitDir, commonDir }) {
  const head = readText(path.join(gitDir, 'HEAD')) ?? '';
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
  if (!ref) return head;
  const loose = readText(path.join(gitDir, ref)) ?? readText(path.join(commonDir, ref));
  if (loose) return loose;
  const packed = readText(path.join(commonDir, 'packed-refs')) ?? '';
  return (
    packed
      .split('\n')
      .find((l) => l.endsWith(` ${ref}`))
      ?.split(' ')[0] ?? ref
  );
}

/** A few reads and stats that change whenever the checkout changes in the usual ways. */
export function sourceFingerprint() {
  const dirs = gitDirs();
  const git = dirs ? `${headCommit(dirs)}:${mtime(path.join(dirs.gitDir, 'index'))}` : 'no-git';
  return [git, ...SOURCE_DIRS.map((d) => mtime(path.join(root, d)))].join('|');
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function buildServer() {
  const stale =
    !existsSync(serverEntry) || newestMtime(path.join(root, 'src')) > statSync(serverEntry).mtimeMs;
  if (stale) run([path.join(root, 'scripts/build-server.mjs')]);
}

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

/** Server and UI: skip everything when the stamp's fingerprint is the checkout's, else check and build. */
export function ensureBuilt() {
  const fingerprint = sourceFingerprint();
  if (existsSync(serverEntry) && existsSync(webIndex) && readText(stampFile) === JSON.stringify(fingerprint))
    return;
  buildServer();
  buildWeb();
  writeFileSync(stampFile, JSON.stringify(fingerprint));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--web')) buildWeb();
  else ensureBuilt();
}
