import type { Clock } from '../../lib/clock.js';
import { parseJson } from '../../lib/json.js';
import { createMutex } from '../../lib/mutex.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { OnboardingRepository } from '../../repositories/onboarding.repository.js';
import type { AuditService } from '../audit/index.js';

/** Onboarding state of one user. */
export interface OnboardingState {
  completed: boolean;
  completedAt: string | null;
  steps: Record<string, boolean>;
}

/** A partial update: fields left out keep their value; steps merge. */
export interface OnboardingPatch {
  completed?: boolean | undefined;
  steps?: Record<string, boolean> | undefined;
}

/** Per-user onboarding: shown on first sign-in until completed. */
export function createOnboardingService(deps: {
  repo: OnboardingRepository;
  audit: AuditService;
  clock: Clock;
}) {
  // Updates read, merge and write: one at a time, so two PATCHes in flight cannot lose each other's change.
  const writes = createMutex();

  async function get(userId: string): Promise<OnboardingState> {
    const row = await deps.repo.find(userId);
    if (!row) return { completed: false, completedAt: null, steps: {} };
    return { completed: row.completed === 1, completedAt: row.completed_at, steps: parseJson(row.steps, {}) };
  }

  async function apply(
    userId: string,
    ctx: RequestContext,
    patch: OnboardingPatch,
  ): Promise<OnboardingState> {
    const current = await get(userId);
    const now = deps.clock.now().toISOString();
    const completed = patch.completed ?? current.completed;
    const next: OnboardingState = {
      completed,
      completedAt: completed ? (current.completedAt ?? now) : null,
      steps: { ...current.steps, ...patch.steps },
    };
    await deps.repo.upsert({
      user_id: userId,
      completed: next.completed ? 1 : 0,
      completed_at: next.completedAt,
      steps: JSON.stringify(next.steps),
      updated_at: now,
    });
    await deps.audit.record(ctx, 'onboarding.update', { details: { completed: next.completed } });
    return next;
  }

  return {
    get,
    update(
      ctx: RequestContext & { actor: { userId: string } },
      patch: OnboardingPatch,
    ): Promise<OnboardingState> {
      return writes.run(() => apply(ctx.actor.userId, ctx, patch));
    },
  };
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;
