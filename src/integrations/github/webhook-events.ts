import { z } from 'zod';

/*
 * The parts of GitHub's webhook payloads the panel reads (push, installation, installation_repositories).
 * Everything else in a payload is ignored; a payload without these fields is refused.
 */

const name = z.string().min(1).max(255);
const repository = z.object({
  full_name: z.string().regex(/^[^/\s]{1,100}\/[^/\s]{1,100}$/),
  default_branch: name.optional(),
});
const login = z.object({ login: z.string().max(100) }).partial();

const pushSchema = z.object({
  ref: z.string().min(1).max(1024),
  after: z.string().max(64),
  before: z.string().max(64).optional(),
  deleted: z.boolean().optional(),
  repository,
  sender: login.nullish(),
});

const installationSchema = z.object({
  action: z.string().max(64),
  installation: z.object({ id: z.number().int() }).partial().nullish(),
});

/** A `push` delivery as the panel uses it. */
export interface PushEvent {
  owner: string;
  repo: string;
  /** `refs/heads/<branch>`, `refs/tags/<tag>`, … */
  ref: string;
  /** The branch when `ref` is one, else null (tags and other refs). */
  branch: string | null;
  /** The commit the ref points at now (all zeros when it was deleted). */
  after: string;
  deleted: boolean;
  defaultBranch: string | null;
  /** Who pushed (GitHub login), for the audit trail. */
  sender: string | null;
}

/** Parse a push payload; null when it lacks what the panel needs. */
export function parsePushEvent(payload: unknown): PushEvent | null {
  const parsed = pushSchema.safeParse(payload);
  if (!parsed.success) return null;
  const p = parsed.data;
  const [owner = '', repo = ''] = p.repository.full_name.split('/');
  const branch = p.ref.startsWith('refs/heads/') ? p.ref.slice('refs/heads/'.length) : null;
  const sender = p.sender?.login;
  return {
    owner,
    repo,
    ref: p.ref,
    branch: branch || null,
    after: p.after,
    // GitHub sets `deleted`; an all-zero `after` says the same.
    deleted: p.deleted === true || /^0{40}$/.test(p.after),
    defaultBranch: p.repository.default_branch ?? null,
    sender: sender && /^[A-Za-z0-9-]{1,39}(\[bot\])?$/.test(sender) ? sender : null,
  };
}

/** An `installation` / `installation_repositories` delivery: what happened to the App's installation. */
export function parseInstallationEvent(
  payload: unknown,
): { action: string; installationId: number | null } | null {
  const parsed = installationSchema.safeParse(payload);
  if (!parsed.success) return null;
  return { action: parsed.data.action, installationId: parsed.data.installation?.id ?? null };
}
