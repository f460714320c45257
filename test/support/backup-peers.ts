import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { importBusyboxImage } from './docker.js';
import { buildLocalImage, imageExists } from './local-base-image.js';

/** The helper image backups read and write volumes with (busybox with tar, find, cp, rm). */
export const HELPER_IMAGE = 'warp-test/backup-helper:1';
/** A PostgreSQL 15 image made from the host's Debian packages (no registry here). */
export const POSTGRES_IMAGE = 'warp-test/postgres:15';

const HELPER_APPLETS = [
  'sh',
  'tar',
  'find',
  'rm',
  'cp',
  'cat',
  'ls',
  'mkdir',
  'sleep',
  'echo',
  'sha256sum',
  'stat',
  'sort',
  'readlink',
  'ln',
  'chmod',
  'chown',
  'head',
  'dd',
];

/** Import the helper image unless it is there. */
export const ensureHelperImage = (docker: Docker): Promise<string> =>
  importBusyboxImage(docker, HELPER_IMAGE, ['ENV PATH=/bin', 'CMD ["sh"]'], HELPER_APPLETS);

const ENTRYPOINT = `#!/bin/sh
# Like the official image: POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB on first start.
set -e
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" > "$pw"
  initdb -D "$PGDATA" -U "\${POSTGRES_USER:-postgres}" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=" start >/dev/null
  if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != "\${POSTGRES_USER:-postgres}" ]; then
    createdb -U "\${POSTGRES_USER:-postgres}" "$POSTGRES_DB"
  fi
  pg_ctl -D "$PGDATA" -w -m fast stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
`;

/**
 * Build the PostgreSQL image when missing: the host's postgresql-15 package with its dependencies
 * (see local-base-image.ts), running as the postgres user with its data in a volume.
 */
export async function ensurePostgresImage(
  docker: Docker,
): Promise<{ image: string; builtInMs: number | null }> {
  if (await imageExists(docker, POSTGRES_IMAGE)) return { image: POSTGRES_IMAGE, builtInMs: null };
  const started = Date.now();
  const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  const uid = Number(pw.stdout.trim());
  const group = Number(gid.stdout.trim());
  await buildLocalImage(docker, POSTGRES_IMAGE, ['postgresql-15'], {
    node: false,
    files: {
      'usr/local/bin/docker-entrypoint.sh': { data: ENTRYPOINT, mode: 0o755 },
      'var/lib/postgresql/data': { data: '', dir: true, mode: 0o700, uid, gid: group },
      'run/postgresql': { data: '', dir: true, mode: 0o2775, uid, gid: group },
    },
    changes: [
      'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV PGDATA=/var/lib/postgresql/data',
      'USER postgres',
      'VOLUME ["/var/lib/postgresql/data"]',
      'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
    ],
    probe: ['postgres', '--version'],
  });
  return { image: POSTGRES_IMAGE, builtInMs: Date.now() - started };
}

/** A loopback S3 server (s3rver) over TLS with its own CA certificate. */
export interface S3Peer {
  endpoint: string;
  caCertificate: string;
  accessKeyId: string;
  secretAccessKey: string;
  dir: string;
  close(): Promise<void>;
}

/**
 * s3rver on 127.0.0.1 over HTTPS. Plain HTTP does not work with restic: its S3 client signs PUTs
 * with aws-chunked streaming signatures on non-TLS connections, and s3rver 3.7 stores the chunk
 * framing as the object's content. Over TLS the payload is sent unsigned and stored as is.
 * (s3rver checks the access key id but not V4 signatures: a wrong secret key is not refused.)
 */
export async function startS3(buckets: string[]): Promise<S3Peer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-s3-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    key: fs.readFileSync(key),
    cert: fs.readFileSync(cert),
    directory: path.join(dir, 'data'),
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as { port: number };
  return {
    endpoint: `https://127.0.0.1:${address.port}`,
    caCertificate: fs.readFileSync(cert, 'utf8'),
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    dir,
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
