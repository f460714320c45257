import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away PostgreSQL cluster of its own (initdb in a temp dir, a free port, fsync off), so a test
 * can restart it without disturbing the shared server other suites use. Needs root (runs the server
 * as the `postgres` user) and Debian's /usr/lib/postgresql/<v>/bin.
 */
export interface PrivatePostgres {
  url: string;
  /** `pg_ctl restart -m fast` (async: the caller's clients keep running): every connection is cut. */
  restart(): Promise<void>;
  /** Stop (`-m fast`), stay down for `ms`, start again: an outage long enough for loops to notice. */
  outage(ms: number): Promise<void>;
  stop(): void;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const version = fs
    .readdirSync(root)
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  const dir = version ? path.join(root, version, 'bin') : null;
  return dir && fs.existsSync(path.join(dir, 'pg_ctl')) ? dir : null;
}

/** Whether a private cluster can be started here. */
export const privatePostgresAvailable = (): boolean =>
  process.getuid?.() === 0 && binDir() !== null && spawnSync('id', ['-u', 'postgres']).status === 0;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** initdb + start; throws with the server's output when it fails. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-pg-'));
  const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
  fs.chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const asPostgres = (args: string[]) => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stdout}${r.stderr}`);
  };
  asPostgres([path.join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'warp', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (...args: string[]) =>
    asPostgres([path.join(bin, 'pg_ctl'), '-D', data, '-l', path.join(dir, 'server.log'), ...args]);
  ctl('-o', opts, '-w', 'start');
  return {
    url: `postgres://warp@127.0.0.1:${port}/postgres`,
    restart: () =>
      new Promise<void>((resolve, reject) => {
        const args = [
          '-u',
          'postgres',
          '--',
          path.join(bin, 'pg_ctl'),
          '-D',
          data,
          '-l',
          path.join(dir, 'server.log'),
        ];
        const child = spawn('runuser', [...args, '-o', opts, '-m', 'fast', '-w', 'restart'], {
          stdio: 'ignore',
        });
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl restart: ${code}`))));
      }),
    outage: async (ms: number) => {
      ctl('-m', 'fast', '-w', 'stop');
      await new Promise((r) => setTimeout(r, ms));
      ctl('-o', opts, '-w', 'start');
    },
    stop: () => {
      try {
        ctl('-m', 'immediate', '-w', 'stop');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
