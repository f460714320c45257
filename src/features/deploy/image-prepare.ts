import { parseImageReference } from '../../domain/image-reference.js';
import { pullImage, resolveImageDigest } from '../../integrations/docker/image-pull.js';
import type { JobContext } from '../jobs/index.js';
import type { DeployDeps } from './deploy-deps.js';
import type { ProjectImage } from './projects.view.js';

/** What an image resolved to: repository digest (`sha256:…`, null when built here) and image id. */
export interface ResolvedImage {
  digest: string | null;
  imageId: string;
}

/** `127.0.0.1:5000/warp/app@sha256:…` → `sha256:…`. */
const bareDigest = (repoDigest: string | null) =>
  repoDigest ? repoDigest.slice(repoDigest.indexOf('@') + 1) : null;

/** The local image `image` names, or null when the engine does not have it. */
async function localImage(deps: Pick<DeployDeps, 'docker'>, image: string): Promise<ResolvedImage | null> {
  const engine = await deps.docker.streams();
  try {
    const { imageId, digest } = await resolveImageDigest(engine, image);
    return { imageId, digest: bareDigest(digest) };
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return null;
    throw error;
  }
}

/**
 * Make sure `image` is here and say what it is. The registry rule first (a 400 naming the image),
 * then: a missing image is pulled; on a redeploy an image that came from a registry (it has a
 * repository digest) is pulled again, so a new push under the same tag is picked up; an image
 * pinned by digest, or built or imported here (no repository digest: a pull would fail or fetch
 * something else), is used as it is. Pulls send the saved credentials, write reduced progress to
 * the job log, stop on cancel and fail after the stall timeout.
 */
export async function prepareImage(
  deps: Pick<DeployDeps, 'docker' | 'registries' | 'pullStallTimeoutMs'>,
  ctx: JobContext,
  image: string,
  opts: { refresh: boolean },
): Promise<ResolvedImage> {
  await deps.registries.assertAllowed(image);
  const local = await localImage(deps, image);
  const pinned = parseImageReference(image).digest !== null;
  if (local && (!opts.refresh || pinned || local.digest === null)) {
    ctx.log.info(
      local.digest
        ? `image ${image} is present locally (${local.digest})`
        : `image ${image} was built or imported here (${local.imageId.slice(0, 19)}, no repository digest): not pulled`,
    );
    return local;
  }
  const auth = await deps.registries.authFor(image);
  ctx.log.info(`pulling ${image}${auth ? ` as ${auth.username}` : ''}`);
  const result = await pullImage(await deps.docker.streams(), image, {
    ...(auth ? { auth } : {}),
    log: ctx.log,
    signal: ctx.signal,
    ...(deps.pullStallTimeoutMs ? { stallTimeoutMs: deps.pullStallTimeoutMs } : {}),
  });
  return { imageId: result.imageId, digest: bareDigest(result.digest) };
}

/**
 * Whether a redeploy should pull `image` again: it is here and came from a registry (it has a
 * repository digest) and is not pinned by digest. An image built or imported here, or missing, is not.
 */
export async function refreshable(deps: Pick<DeployDeps, 'docker'>, image: string): Promise<boolean> {
  if (parseImageReference(image).digest !== null) return false;
  const local = await localImage(deps, image);
  return local !== null && local.digest !== null;
}

/**
 * Log how the image compares with what the project ran before: `image unchanged (sha256:…)` or
 * `image changed: sha256:a… → sha256:b…` — by repository digest when both have one, else by image id.
 */
export function logImageChange(
  ctx: JobContext,
  previous: ProjectImage | undefined,
  now: ResolvedImage,
): void {
  if (!previous) {
    ctx.log.info(now.digest ? `image digest ${now.digest}` : `image id ${now.imageId}`);
    return;
  }
  const byDigest = previous.digest !== null && now.digest !== null;
  const before = byDigest ? previous.digest : previous.imageId;
  const after = byDigest ? now.digest : now.imageId;
  if (before === after) ctx.log.info(`image unchanged (${after})`);
  else ctx.log.info(`image changed: ${before ?? 'unknown'} → ${after}`);
}
