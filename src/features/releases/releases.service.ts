import type { ProjectRow } from '../../db/schema.js';
import { conflict } from '../../domain/errors.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { Project } from '../deploy/index.js';
import type { Job } from '../jobs/index.js';
import type { ReleaseBook } from './release-book.js';
import { toReleaseView } from './releases.view.js';

/** The job type that re-runs a release. */
export const ROLLBACK_JOB = 'rollback';

/**
 * `GET /projects/:id/releases` and `POST …/:rid/rollback`. A rollback is a job of the project (one
 * at a time with its deploys) that re-runs exactly what the release ran: its images by digest, its
 * commit, its model or container spec, its env — never "latest".
 */
export function createReleasesService(deps: {
  book: ReleaseBook;
  projects: {
    load(id: string): Promise<ProjectRow>;
    enqueueFor(
      ctx: RequestContext,
      id: string,
      action: string,
      job: { type: string; input: Record<string, unknown> },
    ): Promise<{ project: Project; job: Job }>;
  };
}) {
  /** Env names of a release (quick services keep env; the values are never shown). */
  const envKeys = async (projectId: string, id: string): Promise<string[]> => {
    const content = (await deps.book.get(projectId, id)).content as { env?: Record<string, string> };
    return Object.keys(content.env ?? {}).sort();
  };

  return {
    async list(projectId: string) {
      await deps.projects.load(projectId);
      const rows = await deps.book.rows(projectId);
      return {
        items: await Promise.all(rows.map(async (r) => toReleaseView(r, await envKeys(projectId, r.id)))),
      };
    },

    async rollback(ctx: RequestContext, projectId: string, releaseId: string) {
      const project = await deps.projects.load(projectId);
      const release = await deps.book.get(projectId, releaseId);
      if (release.live)
        throw conflict(`release #${release.seq} is the live release of ${project.name} already`);
      // Swarm releases roll (`rolling`); host ones are blue/green or stop-then-start.
      const ranOn = release.strategy === 'rolling' ? 'swarm' : 'host';
      if (ranOn !== project.target) {
        throw conflict(
          `release #${release.seq} ran ${ranOn === 'swarm' ? 'on the Swarm' : 'on this host'}, and ${project.name} runs ${project.target === 'swarm' ? 'on the Swarm' : 'on this host'} now: move the project back first (PATCH "target", then redeploy), then roll back`,
        );
      }
      return deps.projects.enqueueFor(ctx, projectId, 'rollback', {
        type: ROLLBACK_JOB,
        input: { releaseId },
      });
    },
  };
}

export type ReleasesService = ReturnType<typeof createReleasesService>;
