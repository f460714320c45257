import { useQuery } from '@tanstack/react-query';
import { queries } from '../api/queries.js';
import type { GithubAppCheck as GithubAppCheckResult } from '../api/types.js';
import { timeAgo } from '../lib/format.js';
import { nameSettings } from '../lib/settings-fields.js';
import { Badge, Button, ErrorView, Spinner } from './ui.js';

/** Live Docker engine check (GET /health/docker). */
export function DockerCheck() {
  const q = useQuery(queries.health.docker());
  return (
    <div className="check" aria-live="polite">
      <strong>Docker engine</strong>{' '}
      {q.isPending ? (
        <Spinner label="checking" />
      ) : q.error ? (
        <ErrorView error={q.error} />
      ) : (
        <>
          <Badge status={q.data.status} />{' '}
          {q.data.status === 'ok'
            ? `Engine ${q.data.engineVersion}, API ${q.data.apiVersion}, ${q.data.latencyMs} ms`
            : q.data.message}
        </>
      )}
      <Button variant="ghost" busy={q.isFetching} onClick={() => q.refetch()}>
        Check again
      </Button>
    </div>
  );
}

/** Live tunnel config validation (GET /api/v1/tunnel/config) plus tunnel health when available. */
export function TunnelCheck() {
  const cfg = useQuery(queries.tunnel.config());
  const h = useQuery(queries.health.tunnel());
  return (
    <div className="check" aria-live="polite">
      <strong>Tunnel config</strong>{' '}
      {cfg.isPending ? (
        <Spinner label="checking" />
      ) : cfg.error ? (
        <ErrorView error={cfg.error} />
      ) : (
        <>
          <Badge status={cfg.data.valid ? 'valid' : 'invalid'} /> <code>{cfg.data.path}</code>
          {cfg.data.errors.length > 0 && (
            <ul className="errors">
              {cfg.data.errors.map((e) => (
                <li key={e}>{nameSettings(e)}</li>
              ))}
            </ul>
          )}
        </>
      )}
      {h.data && (
        <div>
          <strong>Tunnel</strong>{' '}
          <span data-testid="tunnel-health">
            <Badge status={h.data.status} />
          </span>{' '}
          {h.data.connections !== null ? `${h.data.connections} connections` : ''}
          {'message' in h.data && typeof h.data.message === 'string' && h.data.message && (
            <span className="muted small"> {nameSettings(h.data.message)}</span>
          )}
        </div>
      )}
      <Button
        variant="ghost"
        busy={cfg.isFetching || h.isFetching}
        onClick={() => {
          void cfg.refetch();
          void h.refetch();
        }}
      >
        Check again
      </Button>
    </div>
  );
}

/** GitHub App token test (GET /api/v1/github/app/check): mints an installation token, lists what it grants. */
/** Push to deploy: where GitHub must send webhooks, what to enable, and whether any arrived. */
function WebhookCheck({ webhook }: { webhook: NonNullable<GithubAppCheckResult['webhook']> }) {
  return (
    <div className="small" data-testid="webhook-check">
      <div>
        Push to deploy: in the App's settings set the webhook URL <code>{webhook.url}</code> and the webhook
        secret ({webhook.secretSet ? 'set here' : 'not set here yet'}), subscribe to the <em>Push</em> event
        and grant <em>Commit statuses: Read and write</em>.
      </div>
      <div>
        <Badge status={webhook.lastDeliveryAt ? 'ok' : 'none'} />{' '}
        {webhook.lastDeliveryAt
          ? `last webhook ${timeAgo(webhook.lastDeliveryAt)} (${webhook.lastEvent})`
          : 'no webhook has reached the panel yet'}
      </div>
    </div>
  );
}

export function GithubAppCheck() {
  const q = useQuery(queries.githubAppCheck());
  return (
    <div className="check" aria-live="polite">
      <strong>GitHub App</strong>{' '}
      {q.isPending ? (
        <Spinner label="checking" />
      ) : q.error ? (
        <ErrorView error={q.error} />
      ) : (
        <>
          <Badge status={q.data.ok ? 'ok' : 'failed'} /> {nameSettings(q.data.message)}
          {Object.keys(q.data.permissions).length > 0 && (
            <div className="muted small">
              {Object.entries(q.data.permissions)
                .map(([name, level]) => `${name}: ${level}`)
                .join(', ')}
            </div>
          )}
          {q.data.webhook && <WebhookCheck webhook={q.data.webhook} />}
        </>
      )}
      <Button variant="ghost" busy={q.isFetching} onClick={() => q.refetch()}>
        Check again
      </Button>
    </div>
  );
}
