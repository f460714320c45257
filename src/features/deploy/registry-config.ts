import fs from 'node:fs/promises';
import YAML from 'yaml';
import type { ProjectRow } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import { parseImageReference } from '../../domain/image-reference.js';
import { LABEL_COMPOSE_PROJECT } from '../../integrations/docker/docker-labels.js';
import { fullRepositoryName, matchRepoDigest } from '../../integrations/docker/image-pull.js';
import { registryHostOf } from '../../integrations/docker/registry-auth.js';
import { classifyPullMessage, pullFailureError } from '../../integrations/docker/registry-errors.js';
import type { JobContext } from '../jobs/index.js';
import type { DeployDeps } from './deploy-deps.js';
import { setProjectState } from './project-state.js';
import type { ProjectImage } from './projects.view.js';

/**
 * Registries for a Compose run, in one call around `compose up` (or `pull`):
 *   await withRegistryConfig(deps, ctx, row, target, (env) => compose.up(ctx.run, target, env));
 * 1. every image Compose would pull (services with `image` and no `build`) passes the
 *    allowed-registries rule (400 naming the image), before anything runs;
 * 2. `fn` gets `{DOCKER_CONFIG}` of a per-run Docker config with the saved logins (never
 *    `~/.docker`; removed afterwards), or `{}` when none are saved;
 * 3. a pull failure in Compose's output becomes the message that names image and registry;
 * 4. after it ran, the image (reference, repository digest, image id) of each service is recorded.
 */
export async function withRegistryConfig<T>(
  deps: Pick<DeployDeps, 'docker' | 'registries' | 'projectsRepo' | 'clock'>,
  ctx: JobContext,
  row: Pick<ProjectRow, 'id'>,
  target: { project: string; file: string | null },
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (!target.file) throw new Error('the compose model the panel runs was not written');
  // The model the panel wrote (Compose's JSON; YAML reads it too).
  const images = pulledImages(YAML.parse(await fs.readFile(target.file, 'utf8'), { maxAliasCount: 100 }));
  for (const image of images) await deps.registries.assertAllowed(image);
  let result: T;
  try {
    result = await deps.registries.withDockerConfig(ctx.log, fn);
  } catch (error) {
    throw (await composePullError(deps, error, images)) ?? error;
  }
  await recordComposeImages(deps, ctx, row.id, target.project);
  return result;
}

/** Images Compose pulls for a model: each service's `image` unless the service is built here. */
export function pulledImages(model: unknown): string[] {
  const services = (model as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object') return [];
  const out = new Set<string>();
  for (const svc of Object.values(services as Record<string, unknown>)) {
    const s = svc as { image?: unknown; build?: unknown } | null;
    if (s && typeof s.image === 'string' && s.build === undefined) out.add(s.image);
  }
  return [...out];
}

/** Does Compose's message name this image (its reference, or its registry's /v2/ URL)? */
function mentions(message: string, image: string): number {
  const ref = parseImageReference(image);
  if (message.includes(image) || message.includes(ref.name)) return 3;
  const host = registryHostOf(ref);
  const repo = fullRepositoryName(ref).slice(host.length + 1);
  if (message.includes(`${host}/v2/${repo}/`)) return 2;
  return message.includes(`//${host}/v2/`) ? 1 : 0;
}

/** The AppError for a pull failure in Compose's output, or null when it is something else. */
async function composePullError(
  deps: Pick<DeployDeps, 'registries'>,
  error: unknown,
  images: readonly string[],
): Promise<AppError | null> {
  if (!(error instanceof AppError) || error.code !== 'UPSTREAM_ERROR') return null;
  const failure = classifyPullMessage(error.message);
  if (failure.kind === 'other' || failure.kind === 'invalid-reference') return null;
  const ranked = images
    .map((image) => ({ image, score: mentions(error.message, image) }))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
  const image = ranked[0]?.image;
  if (!image) return null;
  const ref = parseImageReference(image);
  const registry = registryHostOf(ref);
  const auth = await deps.registries.authFor(image);
  return pullFailureError(
    failure,
    {
      image,
      registry,
      repository: fullRepositoryName(ref).slice(registry.length + 1),
      tag: ref.digest ?? ref.tag ?? 'latest',
      withCredentials: auth !== undefined,
    },
    error.message,
    error,
  );
}

/** Record what each service of the compose project runs: reference, repository digest, image id. */
async function recordComposeImages(
  deps: Pick<DeployDeps, 'docker' | 'projectsRepo' | 'clock'>,
  ctx: JobContext,
  projectId: string,
  composeProject: string,
): Promise<void> {
  const list = await deps.docker.call('list containers', (d) =>
    d.listContainers({ all: true, filters: { label: [`${LABEL_COMPOSE_PROJECT}=${composeProject}`] } }),
  );
  const byService = new Map<string, ProjectImage>();
  for (const c of list) {
    const service = c.Labels['com.docker.compose.service'] ?? c.Names[0]?.replace(/^\//, '') ?? c.Id;
    if (byService.has(service)) continue;
    const info = await deps.docker.call('inspect container', (d) => d.getContainer(c.Id).inspect());
    const image = info.Config.Image;
    const imageInfo = await deps.docker
      .call('inspect image', (d) => d.getImage(info.Image).inspect())
      .catch(() => null);
    let repoDigest: string | null = null;
    try {
      repoDigest = matchRepoDigest(imageInfo?.RepoDigests, image);
    } catch {
      repoDigest = null; // an image given by id: no repository to match
    }
    const digest = repoDigest ? repoDigest.slice(repoDigest.indexOf('@') + 1) : null;
    byService.set(service, { service, image, digest, imageId: info.Image });
    ctx.log.info(`service ${service}: ${image} (${digest ?? `built here, ${info.Image.slice(0, 19)}`})`);
  }
  const images = [...byService.values()].sort((a, b) => a.service.localeCompare(b.service));
  await setProjectState(deps, projectId, { images: JSON.stringify(images) });
}
