import { z } from 'zod';
import { composeStrategy, isObj } from '../../domain/compose/index.js';
import { MASK } from '../../lib/log-masking.js';
import type { ComposePlan } from './compose-plan.js';

/** API.md → Plans: `{plan: {service, containerPort, hostPort, model, warnings}}`. */
export const planResponseSchema = z.object({
  plan: z.object({
    service: z.string(),
    containerPort: z.number(),
    hostPort: z.number(),
    composeProject: z.string(),
    model: z.record(z.string(), z.unknown()),
    warnings: z.array(z.string()),
    /** How a redeploy replaces the running release (blue/green, or stop-then-start with the reason). */
    strategy: z.enum(['blue-green', 'stop-start']),
    strategyReason: z.string().nullable(),
    strategyReasons: z.array(z.string()),
  }),
});

type Obj = Record<string, unknown>;

/** `{K: v}` or `["K=v"]` with every value masked (keys stay, so the shape still reads). */
function maskVars(vars: unknown): unknown {
  if (Array.isArray(vars))
    return vars.map((v) => (String(v).includes('=') ? `${String(v).split('=')[0]}=${MASK}` : v));
  if (!isObj(vars)) return vars;
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v === null ? null : MASK]));
}

/**
 * The model as the API shows it: environment values, build args and inline config/secret content
 * masked (they may be secrets from `.env` or env files); the file the panel runs keeps them.
 */
export function maskModel(model: Obj): { model: Obj; masked: boolean } {
  let masked = false;
  const services: Obj = {};
  for (const [name, def] of Object.entries(isObj(model.services) ? model.services : {})) {
    if (!isObj(def)) {
      services[name] = def;
      continue;
    }
    const copy: Obj = { ...def };
    if (copy.environment !== undefined) {
      copy.environment = maskVars(copy.environment);
      masked = true;
    }
    if (isObj(copy.build) && copy.build.args !== undefined) {
      copy.build = { ...copy.build, args: maskVars(copy.build.args) };
      masked = true;
    }
    services[name] = copy;
  }
  const out: Obj = { ...model, services };
  for (const key of ['configs', 'secrets'] as const) {
    const group = model[key];
    if (!isObj(group)) continue;
    out[key] = Object.fromEntries(
      Object.entries(group).map(([k, v]) => {
        if (!isObj(v) || v.content === undefined) return [k, v];
        masked = true;
        return [k, { ...v, content: MASK }];
      }),
    );
  }
  return { model: out, masked };
}

/** A plan as the API answers it. */
export function presentPlan(plan: ComposePlan): z.infer<typeof planResponseSchema> {
  const { model, masked } = maskModel(plan.model);
  // Plans stored before releases existed carry no strategy: judge their model now.
  const decision = plan.strategy
    ? { strategy: plan.strategy, reasons: plan.strategyReasons ?? [] }
    : composeStrategy(plan.model, plan);
  const note =
    'environment values, build args and inline contents are masked here; the model file the panel runs holds them';
  return {
    plan: {
      service: plan.service,
      containerPort: plan.containerPort,
      hostPort: plan.hostPort,
      composeProject: plan.composeProject,
      model,
      warnings: masked ? [...plan.warnings, note] : plan.warnings,
      strategy: decision.strategy,
      strategyReason: decision.reasons.join('; ') || null,
      strategyReasons: decision.reasons,
    },
  };
}
