import type { DockerClient } from './docker-client.js';

/** The repository the panel tags every release's images under: `warp-release/<projectId>`. */
export const releaseRepository = (projectId: string): string => `warp-release/${projectId.toLowerCase()}`;

/** The tag of one service's image in release `seq`: `r<seq>` (quick services) or `r<seq>-<service>`. */
export function releaseTag(seq: number, service: string | null): string {
  const safe = service ? `-${service.replace(/[^A-Za-z0-9_.-]/g, '-')}` : '';
  return `r${seq}${safe}`.slice(0, 128);
}

/** What identifies an image exactly: its local id and, when it came from a registry, its digest there. */
export interface ImageIdentity {
  imageId: string;
  /** `sha256:…` the registry knows it by, else the local id (a locally built or imported image). */
  digest: string;
}

/**
 * The identity of an image reference (or id) as the engine has it now; `named` picks the digest of
 * that repository when the image came from several.
 */
export async function imageIdentity(docker: DockerClient, ref: string, named = ref): Promise<ImageIdentity> {
  const info = await docker.call('inspect image', (d) => d.getImage(ref).inspect(), { what: `image ${ref}` });
  const repo = named.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  const digests = info.RepoDigests ?? [];
  const chosen = digests.find((d) => d.startsWith(`${repo}@`)) ?? digests[0];
  return { imageId: info.Id, digest: chosen ? chosen.slice(chosen.indexOf('@') + 1) : info.Id };
}

/** Tag an image so that it stays while its release is kept (untagged images are what prunes remove). */
export async function tagImage(
  docker: DockerClient,
  imageId: string,
  repo: string,
  tag: string,
): Promise<string> {
  await docker.call('tag image', (d) => d.getImage(imageId).tag({ repo, tag }));
  return `${repo}:${tag}`;
}

/**
 * Remove one reference: with other tags the image only loses this one; with none it is deleted,
 * unless a container uses it (then the engine refuses and the reference stays: `in-use`).
 */
export async function removeImageRef(
  docker: DockerClient,
  ref: string,
): Promise<'removed' | 'in-use' | 'gone'> {
  try {
    await docker.call('remove image', (d) => d.getImage(ref).remove({ force: false, noprune: false }));
    return 'removed';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NOT_FOUND') return 'gone';
    if (code === 'CONFLICT') return 'in-use';
    throw error;
  }
}

/** Every `warp-release/<projectId>:*` reference the engine holds. */
export async function releaseRefs(docker: DockerClient, projectId: string): Promise<string[]> {
  const repo = releaseRepository(projectId);
  const images = await docker.call('list images', (d) => d.listImages({ filters: { reference: [repo] } }));
  return images.flatMap((i) => (i.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`)));
}
