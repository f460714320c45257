import type { z } from 'zod';
import type { ReleaseRow } from '../../db/schema.js';
import { parseJson } from '../../lib/json.js';
import type { ReleaseImage } from './release-book.js';
import type { releaseSchema } from './releases.schemas.js';

/** A release as the API shows it: images and where it runs; its content (env, model) stays inside. */
export function toReleaseView(row: ReleaseRow, envKeys: string[]): z.infer<typeof releaseSchema> {
  return {
    id: row.id,
    seq: row.seq,
    createdAt: row.created_at,
    live: row.live === 1,
    activatedAt: row.activated_at,
    strategy: row.strategy,
    images: parseJson<ReleaseImage[]>(row.images, []).map((i) => ({
      service: i.service,
      image: i.image,
      digest: i.digest,
    })),
    commit: row.commit_sha,
    hostPort: row.host_port,
    composeProject: row.compose_project,
    envKeys,
    jobId: row.job_id,
    actor: row.actor,
  };
}
