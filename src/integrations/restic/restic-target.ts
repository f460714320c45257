import fs from 'node:fs';
import path from 'node:path';

/** Where a project's backups go: a local folder or an S3-compatible bucket (secrets in plain text). */
export type BackupTarget =
  | { type: 'local'; path: string }
  | {
      type: 's3';
      endpoint: string;
      bucket: string;
      prefix: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      /** PEM of a private CA the endpoint's certificate chains to (self-hosted MinIO, tests). */
      caCertificate?: string | null;
    };

/** A restic repository as the CLI is given it: the `-r` location, extra flags and the environment. */
export interface ResticRepo {
  location: string;
  /** Flags before the command (`--cacert`, `-o s3.region=…`). */
  flags: string[];
  /** RESTIC_PASSWORD and the S3 keys: passed as environment, never argv. */
  env: Record<string, string>;
  /** Values to mask in every log line. */
  secrets: string[];
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

/** The repository location of one project inside a target (each project has its own repository). */
export function repositoryLocation(target: BackupTarget, projectId: string): string {
  if (target.type === 'local') return path.join(target.path, projectId);
  const endpoint = target.endpoint.replace(/\/+$/, '');
  const parts = [target.bucket, trimSlashes(target.prefix), projectId].filter((p) => p !== '');
  return `s3:${endpoint}/${parts.join('/')}`;
}

/**
 * Build the repository a restic run uses. A CA certificate is written to `workDir/ca.pem` (0600)
 * because restic reads it from a file.
 */
export function resticRepo(
  target: BackupTarget,
  opts: { projectId: string; password: string; workDir: string },
): ResticRepo {
  const location = repositoryLocation(target, opts.projectId);
  const env: Record<string, string> = { RESTIC_PASSWORD: opts.password };
  const secrets = [opts.password];
  const flags: string[] = [];
  if (target.type === 's3') {
    env.AWS_ACCESS_KEY_ID = target.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = target.secretAccessKey;
    secrets.push(target.secretAccessKey);
    if (target.region) flags.push('-o', `s3.region=${target.region}`);
    if (target.caCertificate) {
      fs.mkdirSync(opts.workDir, { recursive: true, mode: 0o700 });
      const file = path.join(opts.workDir, 'ca.pem');
      fs.writeFileSync(file, target.caCertificate, { mode: 0o600 });
      flags.push('--cacert', file);
    }
  }
  return { location, flags, env, secrets };
}

/** Retention as `restic forget` flags (rules set to 0 are left out). */
export function retentionFlags(r: { last: number; daily: number; weekly: number }): string[] {
  const out: string[] = [];
  if (r.last > 0) out.push('--keep-last', String(r.last));
  if (r.daily > 0) out.push('--keep-daily', String(r.daily));
  if (r.weekly > 0) out.push('--keep-weekly', String(r.weekly));
  return out;
}
