/**
 * An image of the fake cloudflared connector (test/fakes/cloudflared-connector.ts) for Swarm tests:
 * the connector bundled into one file with esbuild, the host's `node` binary and the shared
 * libraries it links, nothing else (no registry here; Docker Hub's cloudflared cannot be pulled).
 * Its entrypoint stands where cloudflared's image has `cloudflared --no-autoupdate`, so the panel's
 * service arguments (`tunnel --config … --metrics … run <tunnel>`) follow it unchanged; the fake-only
 * `--fake-listen 0.0.0.0:7000` (where "the edge" sends requests) is part of the entrypoint.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { build } from 'esbuild';

const CONNECTOR = path.resolve(import.meta.dirname, '../fakes/cloudflared-connector.ts');
/** Where "the edge" reaches a connector task, inside its container. */
export const CONNECTOR_EDGE_PORT = 7000;

/** The shared libraries `ldd` says a binary needs (absolute paths). */
function libsOf(bin: string): string[] {
  const out = spawnSync('ldd', [bin], { encoding: 'utf8' }).stdout;
  return [...out.matchAll(/(\/[^\s]+\.so[^\s]*)/g)].map((m) => m[1]!);
}

/** Build (once per connector source and node binary) and return the image tag, in the main engine. */
export async function ensureConnectorImage(docker: Docker): Promise<string> {
  const bundled = await build({
    entryPoints: [CONNECTOR],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const code = bundled.outputFiles[0]!.contents;
  const node = fs.realpathSync(process.execPath);
  const tag = `warp-test/fake-cloudflared:${createHash('sha256')
    .update(code)
    .update(process.versions.node)
    .digest('hex')
    .slice(0, 12)}`;
  const have = await docker
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (have) return tag;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-connector-'));
  try {
    const put = (rel: string, from: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.copyFileSync(fs.realpathSync(from), path.join(dir, rel));
    };
    put('usr/bin/node', node);
    for (const lib of libsOf(node)) put(lib.slice(1), lib);
    fs.writeFileSync(path.join(dir, 'connector.mjs'), code);
    for (const d of ['tmp', 'etc/cloudflared'])
      fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o1777 });
    for (const f of ['etc/hosts', 'etc/resolv.conf', 'etc/hostname']) fs.writeFileSync(path.join(dir, f), '');
    fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/false\n');
    const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, version] = tag.split(':') as [string, string];
    const out = await docker.importImage(tar.stdout, {
      repo,
      tag: version,
      changes: [
        'ENV PATH=/usr/bin',
        `ENTRYPOINT ["/usr/bin/node", "/connector.mjs", "--fake-listen", "0.0.0.0:${CONNECTOR_EDGE_PORT}"]`,
        'CMD ["version"]',
      ],
    } as object);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(out, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    return tag;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
