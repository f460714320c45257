import type { ReleaseRow } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { releaseRepository, releaseTag, tagImage } from '../../integrations/docker/release-images.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { parseJson } from '../../lib/json.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { ReleasesRepository } from '../../repositories/releases.repository.js';
import { pruneReleases, sweepReleaseRefs } from './release-prune.js';

/** One image of a release: what the service ran, exactly, and the panel's tag that keeps it. */
export interface ReleaseImage {
  service: string;
  /** The reference as deployed (`nginx:1.27`, the image Compose built, …). */
  image: string;
  /** The registry digest (`sha256:…`), or the local image id for images that never came from one. */
  digest: string;
  imageId: string;
  /** `warp-release/<projectId>:r<seq>[-<service>]`: holds the image while the release is kept. */
  ref: string;
  /** The name Compose built the image under (removed with the release when nothing else uses it). */
  built: string | null;
}

/** A release as the deploy flows use it (content decrypted). */
export interface Release {
  id: string;
  projectId: string;
  seq: number;
  live: boolean;
  strategy: ReleaseRow['strategy'];
  images: ReleaseImage[];
  commit: string | null;
  hostPort: number | null;
  composeProject: string | null;
  /** What it ran: the container spec with its env (quick), or the Compose plan with its model. */
  content: Record<string, unknown>;
  jobId: string | null;
  actor: string | null;
  createdAt: string;
  activatedAt: string | null;
}

/** Dependencies of the release book. */
export interface ReleaseBookDeps {
  repo: ReleasesRepository;
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  box: SecretBox;
  docker: DockerClient;
  settings: { get(): Promise<{ releases: { keep: number } }> };
  clock: Clock;
}

/** Where the book writes what it did (a job log). */
export interface BookLog {
  info(text: string): void;
  warn(text: string): void;
}

/**
 * The releases of projects, as the deploy flows keep them: a release starts `pending` with its
 * deploy, gets its images tagged, becomes live when it serves (the one live release per project),
 * and is pruned beyond `releases.keep` with the images nothing else holds.
 */
export function createReleaseBook(deps: ReleaseBookDeps) {
  const toRelease = (row: ReleaseRow): Release => ({
    id: row.id,
    projectId: row.project_id,
    seq: row.seq,
    live: row.live === 1,
    strategy: row.strategy,
    images: parseJson<ReleaseImage[]>(row.images, []),
    commit: row.commit_sha,
    hostPort: row.host_port,
    composeProject: row.compose_project,
    content: JSON.parse(deps.box.decrypt(row.content)) as Record<string, unknown>,
    jobId: row.job_id,
    actor: row.actor,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
  });
  const now = () => deps.clock.now().toISOString();

  return {
    /** Rows as stored (the list presents them without decrypting anything). */
    rows: (projectId: string) => deps.repo.list(projectId),

    async live(projectId: string): Promise<Release | null> {
      const row = await deps.repo.live(projectId);
      return row ? toRelease(row) : null;
    },

    async get(projectId: string, id: string): Promise<Release> {
      const row = await deps.repo.find(projectId, id);
      if (row?.status !== 'ready') throw notFound('release');
      return toRelease(row);
    },

    /** The number the project's next release gets. */
    nextSeq: (projectId: string) => deps.repo.nextSeq(projectId),

    /** A new pending release (numbered `seq`, else after every earlier one) for the deploy that is running. */
    async begin(input: {
      projectId: string;
      seq?: number;
      strategy: Release['strategy'];
      commit: string | null;
      content: Record<string, unknown>;
      hostPort: number | null;
      composeProject: string | null;
      jobId: string | null;
      actor: string | null;
    }): Promise<Release> {
      const id = newId();
      const seq = input.seq ?? (await deps.repo.nextSeq(input.projectId));
      await deps.repo.insert({
        id,
        project_id: input.projectId,
        seq,
        status: 'pending',
        live: 0,
        strategy: input.strategy,
        images: '[]',
        commit_sha: input.commit,
        host_port: input.hostPort,
        compose_project: input.composeProject,
        content: deps.box.encrypt(JSON.stringify(input.content)),
        job_id: input.jobId,
        actor: input.actor,
        created_at: now(),
        activated_at: null,
      });
      return toRelease((await deps.repo.find(input.projectId, id))!);
    },

    /** Tag each image the release runs (`warp-release/<projectId>:r<seq>-<service>`) and record it. */
    async recordImages(
      release: Release,
      found: {
        service: string | null;
        image: string;
        imageId: string;
        digest: string;
        built: string | null;
      }[],
    ): Promise<ReleaseImage[]> {
      const repo = releaseRepository(release.projectId);
      const images: ReleaseImage[] = [];
      for (const f of found) {
        const tag = releaseTag(release.seq, f.service);
        const ref = await tagImage(deps.docker, f.imageId, repo, tag);
        images.push({ ...f, service: f.service ?? 'app', ref });
      }
      await deps.repo.update(release.id, { images: JSON.stringify(images) });
      release.images = images;
      return images;
    },

    /**
     * Record the images of a release that runs on other machines (a Swarm's nodes): no tag here, since
     * a tag on this engine keeps nothing on the nodes; `ref` is what re-runs it (by digest when known).
     */
    async noteImages(release: Release, images: ReleaseImage[]): Promise<ReleaseImage[]> {
      await deps.repo.update(release.id, { images: JSON.stringify(images) });
      release.images = images;
      return images;
    },

    /** Make the release the project's live one (its deploy switched, or a rollback to it did). */
    async activate(
      release: Release,
      where: { hostPort: number | null; composeProject: string | null },
    ): Promise<void> {
      await deps.transaction(() =>
        deps.repo.setLive(release.projectId, release.id, {
          host_port: where.hostPort,
          compose_project: where.composeProject,
          activated_at: now(),
        }),
      );
    },

    /** Put the live mark back where it was (a release that fell over right after its switch). */
    async restoreLive(projectId: string, previous: Release | null, failed: Release): Promise<void> {
      await deps.transaction(async () => {
        if (previous) {
          await deps.repo.setLive(projectId, previous.id, {
            host_port: previous.hostPort,
            compose_project: previous.composeProject,
            activated_at: previous.activatedAt,
          });
        } else {
          await deps.repo.update(failed.id, { live: 0 });
        }
      });
    },

    /** Forget a pending release whose deploy failed, with the tags it got. */
    async discard(release: Release, log: BookLog): Promise<void> {
      await deps.repo.delete(release.id);
      await sweepReleaseRefs(deps, release.projectId, log);
    },

    /** Keep the newest `releases.keep` releases (and the live one) with their images; drop the rest. */
    prune: (projectId: string, log: BookLog) => pruneReleases(deps, projectId, log),

    /** A removed project: every release and every image tag of it go. */
    async forget(projectId: string, log: BookLog): Promise<void> {
      for (const row of [...(await deps.repo.list(projectId)), ...(await deps.repo.pending(projectId))]) {
        await deps.repo.delete(row.id);
      }
      await sweepReleaseRefs(deps, projectId, log);
    },

    /** Releases a crash left pending (recovery decides what they become). */
    pending: async (projectId: string) => (await deps.repo.pending(projectId)).map(toRelease),
  };
}

/** The release book deploy flows record releases in. */
export type ReleaseBook = ReturnType<typeof createReleaseBook>;
