import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real git smart-HTTP server for tests: `git http-backend` run as CGI behind node's http server,
 * serving bare repos from a temp dir. Every request needs Basic auth whose password is a valid token
 * (`isValidToken`); without it the server answers 401 with `WWW-Authenticate`, like GitHub. A `git push`
 * over HTTP reports the refs it moved to `onPush` (what makes GitHub send a push webhook), and fetches
 * can be held back (`holdFetches`) to keep a deploy busy while a test pushes again.
 */

/** A ref a push moved: all zeros for `before` when it was created, for `after` when deleted. */
export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

const ZERO = '0'.repeat(40);

/** `refname → sha` of a bare repo. */
function refsOf(bare: string): Map<string, string> {
  const r = spawnSync('git', ['for-each-ref', '--format=%(objectname) %(refname)'], {
    cwd: bare,
    encoding: 'utf8',
  });
  const out = new Map<string, string>();
  for (const line of (r.stdout ?? '').split('\n').filter(Boolean)) {
    const [sha = '', ref = ''] = line.split(' ');
    out.set(ref, sha);
  }
  return out;
}

/** The refs that differ between two snapshots. */
function diffRefs(before: Map<string, string>, after: Map<string, string>): RefUpdate[] {
  const refs = new Set([...before.keys(), ...after.keys()]);
  return [...refs]
    .filter((ref) => before.get(ref) !== after.get(ref))
    .sort()
    .map((ref) => ({ ref, before: before.get(ref) ?? ZERO, after: after.get(ref) ?? ZERO }));
}

/** One request the server saw. */
export interface GitRequest {
  path: string;
  /** Whether the request carried an Authorization header at all. */
  hadAuth: boolean;
  ok: boolean;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** Run git with argv (never a shell); throws with stderr on failure. */
export function git(args: string[], cwd?: string): string {
  const r = spawnSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Run git without blocking the event loop (the server answering it may live in this process), with a
 * token sent as Basic auth through `http.extraHeader` in the environment.
 */
function gitAsync(args: string[], cwd: string, token: string, origin: string): Promise<string> {
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  const env = {
    ...process.env,
    ...GIT_ENV,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Start the server on 127.0.0.1 (random port). */
export async function startGitServer(opts: {
  isValidToken: (token: string) => boolean;
  /** Called after a push over HTTP moved refs of `owner/name`. */
  onPush?: (fullName: string, updates: RefUpdate[]) => void;
}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-git-'));
  const requests: GitRequest[] = [];
  let held: Promise<void> | null = null;
  const onPush = { fn: opts.onPush ?? null };

  function authorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    return opts.isValidToken(password);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://git.local');
    const ok = authorized(req.headers.authorization);
    requests.push({ path: url.pathname, hadAuth: req.headers.authorization !== undefined, ok });
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake-git"', 'content-type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const fetching =
      url.pathname.endsWith('/git-upload-pack') || url.searchParams.get('service') === 'git-upload-pack';
    if (fetching && held) await held;
    // A push: the repo's refs before, compared once receive-pack is done.
    const pushRepo = url.pathname.endsWith('/git-receive-pack')
      ? decodeURIComponent(url.pathname)
          .replace(/^\//, '')
          .replace(/\.git\/git-receive-pack$/, '')
      : null;
    const refsBefore = pushRepo ? refsOf(bare(pushRepo)) : null;
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
    });
    req.pipe(child.stdin);
    // CGI output: headers, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      const endLf = head.indexOf('\n\n');
      const cut = end >= 0 ? end : endLf;
      if (cut < 0) return;
      headersDone = true;
      const lines = head.subarray(0, cut).toString('utf8').split(/\r?\n/);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        const key = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        if (key === 'status') status = Number.parseInt(value, 10);
        else if (key) headers[key] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(cut + (end >= 0 ? 4 : 2)));
    });
    child.stdout.on('end', () => res.end());
    child.on('close', () => {
      if (!pushRepo || !refsBefore) return;
      const updates = diffRefs(refsBefore, refsOf(bare(pushRepo)));
      if (updates.length > 0) onPush.fn?.(pushRepo, updates);
    });
    child.on('error', () => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bare = (fullName: string) => path.join(root, `${fullName}.git`);

  return {
    url,
    root,
    requests,
    /** Create `owner/name` with these files in one commit on `main`. */
    createRepo(fullName: string, files: Record<string, string>): void {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-git-work-'));
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        fs.writeFileSync(path.join(work, file), content);
      }
      git(['init', '-q', '-b', 'main'], work);
      git(['add', '-A'], work);
      git(['commit', '-q', '-m', 'initial'], work);
      fs.mkdirSync(path.dirname(bare(fullName)), { recursive: true });
      git(['clone', '-q', '--bare', work, bare(fullName)]);
      fs.rmSync(work, { recursive: true, force: true });
    },
    /** Copy a repo (what "generate from template" does on GitHub). */
    copyRepo(from: string, to: string): void {
      fs.mkdirSync(path.dirname(bare(to)), { recursive: true });
      git(['clone', '-q', '--bare', bare(from), bare(to)]);
    },
    /** Replace the push listener (the fake GitHub's webhook sender). */
    onPush(fn: ((fullName: string, updates: RefUpdate[]) => void) | null): void {
      onPush.fn = fn;
    },
    /** Hold every fetch (upload-pack) until the returned function is called. */
    holdFetches(): () => void {
      let release!: () => void;
      held = new Promise<void>((r) => {
        release = r;
      });
      return () => {
        held = null;
        release();
      };
    },
    /** The commit `ref` points at in `owner/name` (null when it does not exist). */
    head(fullName: string, ref = 'refs/heads/main'): string | null {
      return refsOf(bare(fullName)).get(ref) ?? null;
    },
    /**
     * A real `git push` over HTTP as a developer would: commit `files` on top of `branch` (created from
     * `from`, default main, when new) and push it with `token`. Resolves to the new commit id.
     */
    async push(
      fullName: string,
      files: Record<string, string>,
      o: { token: string; branch?: string; from?: string; tag?: string },
    ): Promise<string> {
      const branch = o.branch ?? 'main';
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-git-work-'));
      try {
        git(['clone', '-q', bare(fullName), work]);
        const exists = refsOf(bare(fullName)).has(`refs/heads/${branch}`);
        git(['checkout', '-q', '-B', branch, `origin/${exists ? branch : (o.from ?? 'main')}`], work);
        for (const [file, content] of Object.entries(files)) {
          fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
          fs.writeFileSync(path.join(work, file), content);
        }
        git(['add', '-A'], work);
        git(['commit', '-q', '--allow-empty', '-m', `update ${Object.keys(files).join(', ')}`], work);
        const sha = git(['rev-parse', 'HEAD'], work).trim();
        const refspecs = [`HEAD:refs/heads/${branch}`, ...(o.tag ? [`HEAD:refs/tags/${o.tag}`] : [])];
        await gitAsync(['push', '-q', `${url}/${fullName}.git`, ...refspecs], work, o.token, url);
        return sha;
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
    /** Delete `ref` with a real `git push --delete` over HTTP. */
    async deleteRef(fullName: string, ref: string, token: string): Promise<void> {
      await gitAsync(['push', '-q', `${url}/${fullName}.git`, '--delete', ref], bare(fullName), token, url);
    },
    /** Add a commit that writes `file` on `main`. */
    commit(fullName: string, file: string, content: string): void {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-git-work-'));
      git(['clone', '-q', bare(fullName), work]);
      fs.writeFileSync(path.join(work, file), content);
      git(['add', '-A'], work);
      git(['commit', '-q', '-m', `update ${file}`], work);
      git(['push', '-q', 'origin', 'HEAD:main'], work);
      fs.rmSync(work, { recursive: true, force: true });
    },
    async close(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The running git server. */
export type GitServer = Awaited<ReturnType<typeof startGitServer>>;
