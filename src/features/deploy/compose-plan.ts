import {
  applyPanelChanges,
  type ComposeModel,
  composeStrategy,
  findProxyService,
  LABEL_PROXY,
  labelIsTrue,
  type ProxyService,
  type ReleaseStrategy,
  servicesOf,
} from '../../domain/compose/index.js';
import {
  composePolicyViolations,
  type PolicyException,
  type ResolvedModel,
} from '../../domain/compose-policy.js';
import { validationError } from '../../domain/errors.js';
import type { Compose } from '../../integrations/compose/compose-cli.js';
import type { ResolvedCompose } from '../../integrations/compose/compose-resolve.js';
import type { Runner } from '../../lib/task-context.js';

/** What the panel would run (dry run) or runs now (`GET /projects/:id/plan`). */
export interface ComposePlan {
  service: string;
  containerPort: number;
  hostPort: number;
  composeProject: string;
  /** The Compose model, in the JSON shape of `docker compose config --format json`. */
  model: ComposeModel;
  warnings: string[];
  /**
   * How a redeploy replaces the running release: side by side and switched (blue/green), or stopped
   * first when two copies cannot run at once (stop-start), with every reason.
   */
  strategy: ReleaseStrategy;
  strategyReasons: string[];
}

/** Where and how to resolve one compose project. */
export interface ResolveTarget {
  compose: Compose;
  run: Runner;
  /** The project folder (real path). */
  dir: string;
  /** The explicit compose project name `warp-<slug>` (names of networks and volumes depend on it). */
  project: string;
  mask?: (text: string) => string;
  /** The exceptions an admin granted this project (none for a new one). */
  allowed?: readonly PolicyException[];
  /** The service to publish when the user chose one (else the label, else the only one with ports). */
  service?: string | undefined;
}

/** 400 when the resolved model reaches the host in a way the project is not allowed (every cause listed). */
export function assertComposePolicy(
  model: ResolvedModel,
  dir: string,
  allowed: readonly PolicyException[],
): void {
  const found = composePolicyViolations(model, { projectDir: dir, allowed });
  if (found.length === 0) return;
  throw validationError(
    found.length === 1
      ? (found[0]?.message ?? 'not allowed')
      : `${found.length} settings reach the host: ${found[0]?.message}`,
    found.map((v) => ({ path: v.service ? `services.${v.service}.${v.key}` : v.key, message: v.message })),
  );
}

/**
 * The model Compose resolves for a folder, exactly as a plain `docker compose up` there would use it
 * (file lookup with the override file, `.env`, env files, active profiles, include, extends) under the
 * project name given. Loosely typed on purpose: checks (e.g. a policy) read what they need from it.
 */
export async function resolveComposeProject(t: ResolveTarget): Promise<ResolvedCompose> {
  return t.compose.resolve(t.run, { project: t.project, cwd: t.dir }, t.mask ? { mask: t.mask } : {});
}

/** The resolved project and its proxy service; a project the panel cannot publish is a 400. */
export async function inspectComposeProject(
  t: ResolveTarget,
): Promise<{ resolved: ResolvedCompose; proxy: ProxyService }> {
  const resolved = await resolveComposeProject(t);
  const labelled =
    t.service !== undefined ||
    Object.values(servicesOf(resolved.model)).some((d) => labelIsTrue(d, LABEL_PROXY));
  // Only without a labelled proxy can one hide in an inactive profile: then resolve every profile too.
  const all = labelled
    ? null
    : (
        await t.compose.resolve(
          t.run,
          { project: t.project, cwd: t.dir },
          { allProfiles: true, ...(t.mask ? { mask: t.mask } : {}) },
        )
      ).model;
  const proxy = findProxyService(resolved.model, all, t.service);
  // Judged on what Compose resolved (includes, extends, profiles, interpolation), never on the text;
  // after the proxy, whose own refusals say more.
  assertComposePolicy(resolved.model as ResolvedModel, t.dir, t.allowed ?? []);
  return { resolved, proxy };
}

/** The panel's changes applied to a resolved model: the plan that would run (its model is what runs). */
export function planFromResolved(
  t: { compose: Pick<Compose, 'major'>; project: string },
  resolved: { model: ComposeModel; warnings: string[] },
  proxy: ProxyService,
  at: { projectId: string; hostPort: number; bindAddress: string },
): ComposePlan {
  const changed = applyPanelChanges(resolved.model, {
    service: proxy.service,
    containerPort: proxy.containerPort,
    hostPort: at.hostPort,
    bindAddress: at.bindAddress,
    projectId: at.projectId,
    projectName: t.project,
    composeMajor: t.compose.major,
  });
  const decision = composeStrategy(resolved.model, proxy);
  return {
    service: proxy.service,
    containerPort: proxy.containerPort,
    hostPort: at.hostPort,
    composeProject: t.project,
    model: changed.model,
    warnings: [
      ...resolved.warnings,
      ...changed.warnings,
      ...(decision.strategy === 'stop-start'
        ? [
            `redeploys stop the running release before the new one starts (${decision.reasons.join('; ')}), so the app is briefly down`,
          ]
        : []),
    ],
    strategy: decision.strategy,
    strategyReasons: decision.reasons,
  };
}

/** Resolve, find the proxy, apply the panel's changes: the plan (its model is what would run). */
export async function planComposeProject(
  t: ResolveTarget & { projectId: string; hostPort: number; bindAddress: string },
): Promise<ComposePlan> {
  const { resolved, proxy } = await inspectComposeProject(t);
  return planFromResolved(t, resolved, proxy, t);
}
