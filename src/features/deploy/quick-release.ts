import { preconditionFailed } from '../../domain/errors.js';
import { parseImageReference } from '../../domain/image-reference.js';
import { imageIdentity } from '../../integrations/docker/release-images.js';
import type { JobContext } from '../jobs/index.js';
import type { Release } from '../releases/index.js';
import type { DeployDeps } from './deploy-deps.js';
import { prepareImage } from './image-prepare.js';

/** What a quick service release ran (kept encrypted with the release: the env is in it). */
export interface QuickContent {
  kind: 'quick';
  image: string;
  containerPort: number;
  env: Record<string, string>;
  requestedName: string | null;
}

/**
 * The reference that runs exactly the image a release ran: its own name while that still means the
 * same image, else the panel's release tag; if even that is gone, the digest is pulled from its
 * registry. Never "latest".
 */
export async function pinnedImage(
  deps: DeployDeps,
  ctx: JobContext,
  release: Release,
  image: string,
): Promise<string> {
  const recorded = release.images[0];
  if (!recorded) throw preconditionFailed(`release #${release.seq} recorded no image`);
  const now = await imageIdentity(deps.docker, image).catch(() => null);
  if (now?.imageId === recorded.imageId) {
    ctx.log.info(`${image} is still the image of release #${release.seq} (${recorded.imageId.slice(0, 19)})`);
    return image;
  }
  if (
    await imageIdentity(deps.docker, recorded.ref).then(
      () => true,
      () => false,
    )
  ) {
    ctx.log.info(`${image} has moved on; running release #${release.seq}'s image as ${recorded.ref}`);
    return recorded.ref;
  }
  if (recorded.digest !== recorded.imageId) {
    const ref = `${parseImageReference(image).name}@${recorded.digest}`;
    ctx.log.info(`the image of release #${release.seq} is gone from this host; pulling ${ref}`);
    await prepareImage(deps, ctx, ref, { refresh: false });
    return ref;
  }
  throw preconditionFailed(
    `the image of release #${release.seq} (${recorded.imageId}) is no longer on this host and came from no registry`,
  );
}

/** Volumes of an old container, mounted again at the same places so a new container keeps its data. */
export async function volumeBinds(deps: DeployDeps, id: string): Promise<string[]> {
  const info = await deps.docker.call('inspect container', (d) => d.getContainer(id).inspect());
  return (info.Mounts ?? [])
    .filter((m) => m.Type === 'volume' && m.Name)
    .map((m) => `${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
}
