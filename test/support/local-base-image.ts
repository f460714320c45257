import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { collectPackages, installedPackages, packageFiles } from './host-packages.js';

/**
 * Stand-ins for Docker Hub's `node:20-bookworm-slim` (no registry is reachable from tests), made from
 * the host's own files in seconds: the Debian packages a minimal bookworm has (Essential, required,
 * apt) plus extra packages, taken from the host's dpkg database with their dependencies, and the
 * Node.js this process runs on laid out like the official image (`/usr/local/bin/node`, npm, headers).
 * The host's CA trust comes along (egress here goes through a TLS-inspecting proxy). Cached by tag.
 */
const RUNTIME_EXTRAS = ['ca-certificates', 'git', 'tini', 'docker.io', 'docker-compose'];
const BUILD_EXTRAS = ['ca-certificates', 'python3', 'make', 'g++'];
/** Left out like the Dockerfile's dpkg filters do (docs, and engine binaries the panel never runs). */
const EXCLUDE =
  /^\/usr\/share\/(doc|man|info)\/|^\/usr\/(s?bin)\/(dockerd|docker-proxy|dnet|ovrouter|containerd.*|ctr|runc)$/;

/** Tags of the two local bases (runtime, toolchain), keyed by the Node version inside. */
export const localBaseTags = () => ({
  base: `warp-test/node-base:bookworm-node${process.versions.node}`,
  buildBase: `warp-test/node-build-base:bookworm-node${process.versions.node}`,
});

/** Whether the engine has an image with this tag. */
export const imageExists = (docker: Docker, tag: string) =>
  docker
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );

/** Options of a local image beyond its packages. */
export interface LocalImageOptions {
  /** Lay out this process's Node.js like the official node images (default true). */
  node?: boolean;
  /** Dockerfile-style changes (ENV, CMD, USER…) instead of the Node defaults. */
  changes?: string[];
  /** Extra files: path inside the image → content, mode, owner (uid:gid). */
  files?: Record<string, { data: string; mode?: number; uid?: number; gid?: number; dir?: boolean }>;
  /** A command run in the built image that must succeed (default: node, npm and apt answer). */
  probe?: string[];
}

/** Files made for the image rather than copied: dpkg status, shadow files, Node, dirs, CA certs. */
function stage(dir: string, status: string, opts: LocalImageOptions = {}): string[] {
  const put = (rel: string, data: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data, { mode });
  };
  put('var/lib/dpkg/status', status);
  const users = fs.readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean);
  const groups = fs.readFileSync('/etc/group', 'utf8').split('\n').filter(Boolean);
  // Never the host's password hashes: every account locked.
  put('etc/shadow', users.map((l) => `${l.split(':')[0]}:*:19000:0:99999:7:::\n`).join(''), 0o640);
  put('etc/gshadow', groups.map((l) => `${l.split(':')[0]}:*::\n`).join(''), 0o640);
  for (const d of ['tmp', 'var/tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o1777 });
  for (const d of ['tmp', 'var/tmp']) fs.chmodSync(path.join(dir, d), 0o1777);
  const extra = Object.keys(opts.files ?? {}).map((p) => p.replace(/^\/+/, ''));
  for (const [p, f] of Object.entries(opts.files ?? {})) {
    const target = path.join(dir, p);
    if (f.dir) fs.mkdirSync(target, { recursive: true, mode: f.mode ?? 0o755 });
    else put(p.replace(/^\/+/, ''), f.data, f.mode ?? 0o644);
    if (f.mode !== undefined) fs.chmodSync(target, f.mode);
    if (f.uid !== undefined) fs.chownSync(target, f.uid, f.gid ?? f.uid);
  }
  const base = ['var/lib/dpkg/status', 'etc/shadow', 'etc/gshadow', 'tmp', 'var/tmp', ...extra];
  if (opts.node === false) return base;
  const exe = fs.realpathSync(process.execPath);
  const prefix = path.dirname(path.dirname(exe));
  const local = path.join(dir, 'usr/local');
  fs.mkdirSync(path.join(local, 'bin'), { recursive: true });
  fs.copyFileSync(exe, path.join(local, 'bin/node'));
  fs.cpSync(path.join(prefix, 'lib/node_modules/npm'), path.join(local, 'lib/node_modules/npm'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  if (fs.existsSync(path.join(prefix, 'include/node')))
    fs.cpSync(path.join(prefix, 'include/node'), path.join(local, 'include/node'), { recursive: true });
  fs.symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(local, 'bin/npm'));
  fs.symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(local, 'bin/npx'));
  // The host's extra CAs, so update-ca-certificates in the image keeps trusting them.
  const cas = '/usr/local/share/ca-certificates';
  if (fs.existsSync(cas)) fs.cpSync(cas, path.join(local, 'share/ca-certificates'), { recursive: true });
  return [...base, 'usr/local'];
}

/** Host paths that no package lists but a bootstrapped system has (postinst output, apt sources). */
function hostExtras(packages: Set<string>): string[] {
  const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : []);
  const out = ['/bin', '/sbin', '/lib', '/lib64', '/etc/passwd', '/etc/group'];
  out.push('/etc/alternatives', ...ls('/etc/alternatives'), ...ls('/var/lib/dpkg/alternatives'));
  // The links update-alternatives made (e.g. /usr/bin/cc → /etc/alternatives/cc): line 2 of each
  // state file is the master link, then slave name/link pairs up to an empty line.
  for (const file of ls('/var/lib/dpkg/alternatives')) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const end = lines.indexOf('', 2);
    out.push(lines[1] ?? '', ...lines.slice(2, end).filter((_, i) => i % 2 === 1));
  }
  out.push('/var/lib/dpkg/diversions', '/var/lib/dpkg/statoverride', '/var/lib/dpkg/arch');
  out.push('/var/cache/debconf/config.dat', '/var/cache/debconf/templates.dat');
  out.push(...ls('/etc/apt/sources.list.d').filter((f) => f.endsWith('.sources')), '/etc/apt/sources.list');
  out.push(...ls('/var/lib/dpkg/info').filter((f) => packages.has(path.basename(f).replace(/\.[^.]+$/, ''))));
  if (packages.has('ca-certificates') || packages.has('ca-certificates:all'))
    out.push('/etc/ca-certificates.conf', ...ls('/etc/ssl/certs'));
  return out;
}

/** Build `tag` from the host's packages (Essential/required + apt + `extras`) and `opts`. */
export async function buildLocalImage(
  docker: Docker,
  tag: string,
  extras: string[],
  opts: LocalImageOptions = {},
): Promise<void> {
  const installed = installedPackages();
  const picked = collectPackages(installed, extras);
  const ids = new Set([...picked].map((name) => installed.get(name)?.id ?? name));
  const hostPaths = new Set<string>();
  for (const p of [...packageFiles(installed, picked), ...hostExtras(ids)]) {
    if (EXCLUDE.test(p) || p === '/var/lib/dpkg/status') continue;
    // usr-merge: /bin/x is /usr/bin/x — store each file once, at its real location.
    const real = p === '/' ? p : path.join(fs.realpathSync.native(path.dirname(p)), path.basename(p));
    if (fs.lstatSync(real, { throwIfNoEntry: false })) hostPaths.add(real);
  }
  const status = [...picked].map((name) => installed.get(name)?.stanza ?? '').join('\n');
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-base-'));
  try {
    const staged = stage(path.join(staging, 'root'), status, opts);
    for (const p of hostPaths)
      if (staged.some((s) => p === `/${s}` || p.startsWith(`/${s}/`))) hostPaths.delete(p);
    const hostList = path.join(staging, 'host-files');
    const stagedList = path.join(staging, 'staged-files');
    fs.writeFileSync(
      hostList,
      [...hostPaths]
        .sort()
        .map((p) => p.replace(/^\/+/, '') || '.')
        .join('\n'),
    );
    fs.writeFileSync(stagedList, staged.join('\n'));
    // Staged paths are directories taken whole (usr/local holds Node); host paths are exact entries.
    const args = ['--numeric-owner', '-c', '--no-recursion', '-C', '/', '-T', hostList];
    args.push('--recursion', '-C', path.join(staging, 'root'), '-T', stagedList);
    const tar = spawn('tar', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarErr = '';
    tar.stderr.on('data', (c: Buffer) => {
      tarErr = (tarErr + c.toString()).slice(-2000);
    });
    const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 2)));
    const [repo, version] = tag.split(':') as [string, string];
    const out = await docker.importImage(tar.stdout, {
      repo,
      tag: version,
      changes: opts.changes ?? [
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `ENV NODE_VERSION=${process.versions.node}`,
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
        'CMD ["node"]',
      ],
    });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(out, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    // Exit code 1 means a file changed while read (logs): harmless here.
    if ((await tarDone) > 1) {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => {});
      throw new Error(`tar failed: ${tarErr}`);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  // Directories inside the tar were added without their content: check that the image works.
  const probeCmd = opts.probe ?? ['sh', '-c', 'node -v && npm -v && apt-get -v'];
  const probe = spawnSync(
    'docker',
    ['run', '--rm', '--entrypoint', probeCmd[0] as string, tag, ...probeCmd.slice(1)],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0) throw new Error(`local base ${tag} does not work: ${probe.stderr}`);
}

/** Build both local bases when missing (needs dpkg and the extra packages on the host); returns tags. */
export async function ensureLocalBaseImages(docker: Docker): Promise<{ base: string; buildBase: string }> {
  const tags = localBaseTags();
  if (!(await imageExists(docker, tags.base))) await buildLocalImage(docker, tags.base, RUNTIME_EXTRAS);
  if (!(await imageExists(docker, tags.buildBase)))
    await buildLocalImage(docker, tags.buildBase, BUILD_EXTRAS);
  return tags;
}
