import type { ProjectRow } from '../../db/schema.js';
import { parseImageReference } from '../../domain/image-reference.js';
import { resolveImageDigest } from '../../integrations/docker/image-pull.js';
import type { RegistryAuth } from '../../integrations/docker/registry-auth.js';
import { imageIdentity } from '../../integrations/docker/release-images.js';
import { registryDigest } from '../../integrations/swarm/swarm-services.js';
import { ANY_EXIT_CODE } from '../../lib/process/runner.js';
import type { JobContext } from '../jobs/index.js';
import type { ReleaseImage } from '../releases/index.js';
import type { SwarmDeps } from './swarm-deps.js';

/** What a Swarm quick service release ran (kept encrypted with the release: the env is in it). */
export interface SwarmQuickContent {
  kind: 'quick';
  target: 'swarm';
  image: string;
  containerPort: number;
  env: Record<string, string>;
  requestedName: string | null;
  replicas: number;
  constraints: Record<string, string>;
  resources: { cpus?: number; memoryMb?: number };
}

/** What a stack release ran: the stack file (images pinned as its services ran them) and its route. */
export interface SwarmStackContent {
  kind: 'stack';
  model: Record<string, unknown>;
  proxyService: string;
  containerPort: number;
  proxyHost: string;
}

/** `name:tag@sha256:…` → `sha256:…` (null without a digest). */
const digestOf = (ref: string): string | null => {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(at + 1) : null;
};

/**
 * The reference a Swarm service runs for `image`, pinned by digest where the registry (or the
 * manager's copy of it) tells it, so every node runs the same image — as `docker service create`
 * does. An image built or imported on the manager has no registry: it runs by its name, and every
 * node needs its own copy. Never a network call for such an image.
 */
export async function pinSwarmImage(
  deps: Pick<SwarmDeps, 'docker'>,
  ctx: JobContext,
  image: string,
  auth: RegistryAuth | undefined,
): Promise<string> {
  if (parseImageReference(image).digest !== null) return image;
  const local = await resolveImageDigest(await deps.docker.streams(), image).catch(() => null);
  if (local && local.digest === null) {
    ctx.log.warn(
      `image ${image} was built or imported on the manager (no registry digest): Swarm nodes do not share images, so every node needs its own copy under that name`,
    );
    return image;
  }
  const asked = await registryDigest(deps.docker, image, auth);
  if (asked.digest) {
    ctx.log.info(`image ${image} is ${asked.digest} in its registry: every node runs exactly that`);
    return `${image}@${asked.digest}`;
  }
  const known = local?.digest ? local.digest.slice(local.digest.indexOf('@') + 1) : null;
  if (known) {
    ctx.log.warn(
      `could not ask the registry about ${image} (${asked.reason}); pinning ${known}, the copy the manager has`,
    );
    return `${image}@${known}`;
  }
  ctx.log.warn(`could not ask the registry about ${image} (${asked.reason}): the nodes pull it by its tag`);
  return image;
}

/** The release record of one service's image, from the reference its tasks run. */
export async function swarmImageRecord(
  deps: Pick<SwarmDeps, 'docker'>,
  service: string,
  ref: string,
): Promise<ReleaseImage> {
  const digest = digestOf(ref);
  const local = await imageIdentity(deps.docker, ref).catch(() => null);
  return {
    service,
    image: digest ? ref.slice(0, ref.indexOf('@')) : ref,
    digest: digest ?? local?.digest ?? 'unknown',
    imageId: local?.imageId ?? digest ?? 'unknown',
    ref,
    built: null,
  };
}

/** `Project.images` from release images: the registry digest, null for one built or imported here. */
export const projectImages = (images: ReleaseImage[]): string =>
  JSON.stringify(
    images.map((i) => ({
      service: i.service,
      image: i.image,
      digest: digestOf(i.ref),
      imageId: i.imageId === 'unknown' ? null : i.imageId,
    })),
  );

/** The commit a repo project's clone has checked out (null when git cannot tell). */
export async function headCommit(ctx: JobContext, row: ProjectRow, dir: string): Promise<string | null> {
  if (!row.repo_owner) return null;
  const res = await ctx.run(['git', '-C', dir, 'rev-parse', 'HEAD'], { quiet: true, okCodes: ANY_EXIT_CODE });
  const sha = res.stdout.trim();
  return res.code === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}

/** Publish the project at `service` (its name on the overlay); a route left at an old hostname goes first. */
export async function publishOnSwarm(
  deps: Pick<SwarmDeps, 'publisher'>,
  ctx: JobContext,
  row: Pick<ProjectRow, 'id' | 'hostname'>,
  service: string,
): Promise<void> {
  const stale = (await deps.publisher.hostnames(row.id)).filter((h) => h !== row.hostname);
  if (stale.length > 0) {
    await ctx.step(`Removing the old route ${stale.join(', ')}`, () => deps.publisher.unpublish(ctx, row.id));
  }
  await ctx.step(`Publishing ${row.hostname}`, () =>
    deps.publisher.publish(ctx, { projectId: row.id, hostname: row.hostname!, service }),
  );
}
