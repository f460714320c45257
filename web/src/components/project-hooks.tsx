import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { CreatedDeployHook, HookDelivery } from '../api/types.js';
import { formatTime, timeAgo } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { Badge, Button, Card, Empty, ErrorView, Loading } from './ui.js';

/**
 * Push to deploy on the project page: the deploy hook (create or rotate; the token is shown once) and
 * the last webhook and deploy-hook deliveries with what each led to — or why it did not deploy.
 */
export function ProjectHooks({ id, repoBacked }: { id: string; repoBacked: boolean }) {
  const qc = useQueryClient();
  const [created, setCreated] = useState<CreatedDeployHook | null>(null);
  const deliveries = useQuery({ ...queries.deliveries(id), refetchInterval: 10_000 });
  const rotate = useMutation({
    mutationFn: () => api<CreatedDeployHook>(`/api/v1/projects/${id}/deploy-hook`, { method: 'POST' }),
    onSuccess: (c) => {
      setCreated(c);
      void qc.invalidateQueries({ queryKey: keys.deliveries(id) });
    },
  });
  if (deliveries.isPending) return <Loading what="Loading deliveries" />;
  if (deliveries.error) return <ErrorView error={deliveries.error} />;
  const d = deliveries.data;
  return (
    <>
      <Card
        title="Deploy hook"
        actions={
          <Button busy={rotate.isPending} onClick={() => rotate.mutate()}>
            {d.deployHook ? 'Rotate token' : 'Create deploy hook'}
          </Button>
        }
      >
        <ErrorView error={rotate.error} />
        {d.deployHook ? (
          <p className="small">
            <code>POST {d.deployHook.url}</code> with <code>Authorization: Bearer &lt;token&gt;</code>
            {repoBacked && (
              <>
                {' '}
                and optionally <code>{'{"ref": "main"}'}</code> or <code>{'{"commit": "<sha>"}'}</code>
              </>
            )}
            . Created {formatTime(d.deployHook.createdAt)}, last used {timeAgo(d.deployHook.lastUsedAt)}.
          </p>
        ) : (
          <p className="muted small">
            A URL for CI pipelines or a CMS to deploy this project without GitHub.
          </p>
        )}
        {created && (
          <div className="alert alert-ok" role="status">
            <strong>Copy the token now: it is shown only once.</strong> Rotating again replaces it.
            <div className="input-row">
              <input
                readOnly
                aria-label="Deploy hook token"
                value={created.token}
                data-testid="deploy-hook-token"
                onFocus={(e) => e.currentTarget.select()}
              />
              <Button variant="ghost" onClick={() => setCreated(null)}>
                Done
              </Button>
            </div>
          </div>
        )}
      </Card>
      <Card title="Deliveries">
        {repoBacked && (
          <p className="muted small">
            Pushes to <strong>{d.branch ?? 'the default branch'}</strong> deploy{' '}
            {d.autoDeploy ? 'automatically' : 'only when auto-deploy is on (it is off)'}.
          </p>
        )}
        <DeliveryList items={d.items} />
      </Card>
    </>
  );
}

/** Deliveries, newest first: result, when, what, why (when ignored or refused) and the job's log. */
export function DeliveryList({ items, showRepo = false }: { items: HookDelivery[]; showRepo?: boolean }) {
  if (items.length === 0) return <Empty>No webhook or deploy-hook delivery yet.</Empty>;
  return (
    <ul className="plain" aria-label="Deliveries">
      {items.map((x) => (
        <li key={x.id}>
          <Badge status={x.result} /> <span title={formatTime(x.at)}>{timeAgo(x.at)}</span>{' '}
          {x.event === 'deploy_hook' ? 'deploy hook' : x.event}
          {showRepo && x.repo && ` ${x.repo}`}
          {x.ref && ` ${x.ref.replace(/^refs\/heads\//, '')}`}
          {x.commit && <code> {x.commit.slice(0, 12)}</code>}
          {x.reason && <span className="muted small"> — {x.reason}</span>}
          {x.projectId && showRepo && (
            <>
              {' '}
              <Link to={`/projects/${x.projectId}`}>project</Link>
            </>
          )}
          {x.jobId && (
            <>
              {' '}
              <Link to={`/jobs/${x.jobId}`}>log</Link>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The newest deliveries of every project (and those that matched none), for the settings page. */
export function RecentDeliveries() {
  const q = useQuery({ ...queries.deliveriesAll(), refetchInterval: 15_000 });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorView error={q.error} />;
  return <DeliveryList items={q.data.items} showRepo />;
}
