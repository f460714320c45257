import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { imageIdentity, releaseRefs, removeImageRef } from '../../integrations/docker/release-images.js';
import { parseJson } from '../../lib/json.js';
import type { ReleasesRepository } from '../../repositories/releases.repository.js';
import type { BookLog, ReleaseImage } from './release-book.js';

interface PruneDeps {
  repo: ReleasesRepository;
  docker: DockerClient;
  settings: { get(): Promise<{ releases: { keep: number } }> };
}

/**
 * Remove every `warp-release/<projectId>:*` tag no kept release (ready or pending) names. A tag whose
 * image a container still uses stays (the engine refuses); the next sweep tries again.
 */
export async function sweepReleaseRefs(deps: PruneDeps, projectId: string, log: BookLog): Promise<void> {
  const kept = [...(await deps.repo.list(projectId)), ...(await deps.repo.pending(projectId))];
  const wanted = new Set(kept.flatMap((r) => parseJson<ReleaseImage[]>(r.images, []).map((i) => i.ref)));
  for (const ref of await releaseRefs(deps.docker, projectId)) {
    if (wanted.has(ref)) continue;
    const result = await removeImageRef(deps.docker, ref).catch((e: Error) => {
      log.warn(`could not remove ${ref}: ${e.message}`);
      return 'in-use' as const;
    });
    if (result === 'in-use') log.info(`${ref} stays: a container still uses its image`);
  }
}

/**
 * Keep the newest `releases.keep` releases of a project and the live one; delete the others' rows,
 * their tags, and the images Compose built for them when no kept release holds the same image.
 * Images of others (a pulled `postgres:16`, anything the user tagged) only lose the panel's tag.
 */
export async function pruneReleases(deps: PruneDeps, projectId: string, log: BookLog): Promise<void> {
  const { keep } = (await deps.settings.get()).releases;
  const rows = await deps.repo.list(projectId);
  const kept = rows.filter((r, i) => i < keep || r.live === 1);
  const dropped = rows.filter((r) => !kept.includes(r));
  if (dropped.length === 0) return;
  for (const r of dropped) await deps.repo.delete(r.id);
  await sweepReleaseRefs(deps, projectId, log);
  const keptIds = new Set(kept.flatMap((r) => parseJson<ReleaseImage[]>(r.images, []).map((i) => i.imageId)));
  for (const r of dropped) {
    for (const img of parseJson<ReleaseImage[]>(r.images, [])) {
      if (!img.built || keptIds.has(img.imageId)) continue;
      // The name may have moved on to a later build: remove it only while it still means this image.
      const now = await imageIdentity(deps.docker, img.built).catch(() => null);
      if (now?.imageId === img.imageId) await removeImageRef(deps.docker, img.built).catch(() => 'in-use');
    }
  }
  log.info(
    `kept ${kept.length} release(s) (releases.keep = ${keep}); pruned release #${dropped.map((r) => r.seq).join(', #')}`,
  );
}
