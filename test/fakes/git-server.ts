import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real git smart-HTTP server for tests: `git http-backend` run as CGI behind node's http server,
 * serving bare repos from a temp dir. Every request needs Basic auth whose password is a valid token
 * (`isValidToken`); without it the server answers 401 with `WWW-Authenticate`, like GitHub.
 */

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

/** Start the server on 127.0.0.1 (random port). */
export async function startGitServer(opts: { isValidToken: (token: string) => boolean }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-git-'));
  const requests: GitRequest[] = [];

  function authorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    return opts.isValidToken(password);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://git.local');
    const ok = authorized(req.headers.authorization);
    requests.push({ path: url.pathname, hadAuth: req.headers.authorization !== undefined, ok });
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake-git"', 'content-type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
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
