import type { MetricThresholdRow } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { MetricThresholdsRepository } from '../../repositories/metric-thresholds.repository.js';
import type { AuditService } from '../audit/index.js';

/** "Over `percent` for `minutes`": one threshold of a project. */
export interface Threshold {
  percent: number;
  minutes: number;
}

/** A project's thresholds (`GET/PUT /api/v1/projects/:id/thresholds`); null = none. */
export interface ProjectThresholds {
  /** CPU % as `docker stats` shows it (100 = one core). */
  cpu: Threshold | null;
  /** Memory in % of the container's limit (the host's memory when it has none). */
  memory: Threshold | null;
}

const pair = (percent: number | null, minutes: number | null): Threshold | null =>
  percent !== null && minutes !== null ? { percent, minutes } : null;

/** Present a row. */
export const toThresholds = (row: MetricThresholdRow | undefined): ProjectThresholds => ({
  cpu: row ? pair(row.cpu_percent, row.cpu_minutes) : null,
  memory: row ? pair(row.memory_percent, row.memory_minutes) : null,
});

/** Read and set per-project thresholds (audited); the watch reads them through `all()`, cached. */
export function createThresholdsService(deps: {
  repo: MetricThresholdsRepository;
  projects: { findById(id: string): Promise<{ id: string; status: string } | undefined> };
  audit: AuditService;
  clock: Clock;
}) {
  let cache: { at: number; byProject: Map<string, ProjectThresholds> } | null = null;

  async function project(id: string) {
    const row = await deps.projects.findById(id);
    if (!row || row.status === 'removed') throw notFound('project');
    return row;
  }

  return {
    async get(projectId: string): Promise<ProjectThresholds> {
      await project(projectId);
      return toThresholds(await deps.repo.get(projectId));
    },
    async put(ctx: RequestContext, projectId: string, input: ProjectThresholds): Promise<ProjectThresholds> {
      await project(projectId);
      await deps.repo.put({
        project_id: projectId,
        cpu_percent: input.cpu?.percent ?? null,
        cpu_minutes: input.cpu?.minutes ?? null,
        memory_percent: input.memory?.percent ?? null,
        memory_minutes: input.memory?.minutes ?? null,
        updated_at: deps.clock.now().toISOString(),
        updated_by: ctx.actor?.login ?? null,
      });
      cache = null;
      await deps.audit.record(ctx, 'project.thresholds', {
        target: projectId,
        projectId,
        details: { cpu: input.cpu, memory: input.memory },
      });
      return toThresholds(await deps.repo.get(projectId));
    },
    /** Every project's thresholds (cached for 30 s; a write clears the cache). */
    async all(): Promise<Map<string, ProjectThresholds>> {
      if (cache && Date.now() - cache.at < 30_000) return cache.byProject;
      const byProject = new Map((await deps.repo.all()).map((r) => [r.project_id, toThresholds(r)]));
      cache = { at: Date.now(), byProject };
      return byProject;
    },
  };
}

/** Per-project thresholds. */
export type ThresholdsService = ReturnType<typeof createThresholdsService>;
