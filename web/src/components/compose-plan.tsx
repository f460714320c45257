import type { Plan } from '../api/types.js';

/** A compose plan: the proxy service and its ports, Compose's and the panel's warnings, the model. */
export function PlanView({ plan }: { plan: Plan }) {
  return (
    <div className="plan">
      <dl className="kv">
        <dt>Service</dt>
        <dd>{plan.service}</dd>
        <dt>Ports</dt>
        <dd>
          127.0.0.1:{plan.hostPort} → container port {plan.containerPort}/tcp
        </dd>
        <dt>Compose project</dt>
        <dd>{plan.composeProject}</dd>
        <dt>Redeploys</dt>
        <dd>
          {plan.strategy === 'blue-green'
            ? 'blue/green: the new release starts beside the live one and takes the route once it answers'
            : `stop-then-start (the app is briefly down): ${plan.strategyReason ?? ''}`}
        </dd>
      </dl>
      {plan.warnings.length > 0 && (
        <ul className="plan-warnings">
          {plan.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <details>
        <summary>Compose model</summary>
        <pre className="plan-model">{JSON.stringify(plan.model, null, 2)}</pre>
      </details>
    </div>
  );
}
