import { notFound } from '../../domain/errors.js';
import { presentPlan } from './compose-plan.view.js';
import type { PlanStore } from './plan-store.js';
import type { ProjectsService } from './projects.service.js';

/** `GET /api/v1/projects/:id/plan`: the plan a compose project runs now (masked as the API shows it). */
export function createProjectPlansService(deps: {
  projects: Pick<ProjectsService, 'load'>;
  plans: PlanStore;
}) {
  return {
    async get(id: string) {
      const row = await deps.projects.load(id);
      if (!row.compose_project)
        throw notFound(`a compose plan for ${row.name} (it is not a compose project)`);
      const plan = await deps.plans.load(id);
      if (!plan) throw notFound(`a compose plan for ${row.name} (it has not run yet)`);
      return presentPlan(plan);
    },
  };
}

export type ProjectPlansService = ReturnType<typeof createProjectPlansService>;
