import path from 'node:path';
import type { BackupPolicyRow } from '../../db/schema.js';
import { preconditionFailed } from '../../domain/errors.js';
import { type BackupTarget, type ResticRepo, resticRepo } from '../../integrations/restic/restic-target.js';
import { parseJson } from '../../lib/json.js';
import type { BackupsDeps } from './backup-deps.js';

/** A stored target without the S3 keys (those are in `target_secrets`, encrypted). */
export type StoredTarget =
  | { type: 'local'; path: string }
  | {
      type: 's3';
      endpoint: string;
      bucket: string;
      prefix: string;
      region: string;
      caCertificate: string | null;
    };

/** S3 keys at rest (encrypted as one JSON value). */
export interface TargetKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A policy row opened for a run: target with keys, repository password and lists parsed. */
export interface OpenPolicy {
  row: BackupPolicyRow;
  target: BackupTarget;
  password: string;
  volumes: string[];
  databases: string[];
  retention: { last: number; daily: number; weekly: number };
}

/** The stored target and its keys, decrypted. */
export function openTarget(deps: Pick<BackupsDeps, 'box'>, row: BackupPolicyRow): BackupTarget {
  const stored = parseJson<StoredTarget>(row.target, { type: 'local', path: '/nonexistent' });
  if (stored.type === 'local') return stored;
  const keys = row.target_secrets
    ? (JSON.parse(deps.box.decrypt(row.target_secrets)) as TargetKeys)
    : { accessKeyId: '', secretAccessKey: '' };
  return { ...stored, ...keys };
}

/** Load and open a project's policy; 422 when the project has none. */
export async function openPolicy(
  deps: Pick<BackupsDeps, 'repo' | 'box'>,
  projectId: string,
): Promise<OpenPolicy> {
  const row = await deps.repo.findPolicy(projectId);
  if (!row) throw preconditionFailed('this project has no backup policy yet: save one first');
  return {
    row,
    target: openTarget(deps, row),
    password: deps.box.decrypt(row.repo_password),
    volumes: parseJson<string[]>(row.volumes, []),
    databases: parseJson<string[]>(row.databases, []),
    retention: parseJson(row.retention, { last: 7, daily: 7, weekly: 4 }),
  };
}

/** The restic repository of an opened policy. */
export const repoOf = (deps: Pick<BackupsDeps, 'workDir'>, policy: OpenPolicy): ResticRepo => {
  const repo = resticRepo(policy.target, {
    projectId: policy.row.project_id,
    password: policy.password,
    workDir: path.join(deps.workDir, 'projects', policy.row.project_id),
  });
  // The key id is not secret to S3, but the API treats it as one: keep it out of logs too.
  if (policy.target.type === 's3') repo.secrets.push(policy.target.accessKeyId);
  return repo;
};
