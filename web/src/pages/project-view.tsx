import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, qs } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Accepted } from '../api/types.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ContainerLogs } from '../components/container-logs.js';
import { Badge, Button, Card, ErrorView, Loading } from '../components/ui.js';
import { formatTime } from '../lib/format.js';
import { Link, navigate } from '../lib/router.js';

/** One project: details, redeploy, delete (optionally with volumes), its containers and live logs. */
export default function ProjectView({ id }: { id: string }) {
  const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const [volumes, setVolumes] = useState(false);
  const [logs, setLogs] = useState(false);
  const project = useQuery(queries.project(id));
  const containers = useQuery(queries.containers({ projectId: id }));
  const swarm = project.data?.target === 'swarm';
  const tasks = useQuery({ ...queries.projectTasks(id), enabled: swarm, refetchInterval: 10_000 });
  const toJob = (res: Accepted) => {
    void qc.invalidateQueries({ queryKey: keys.projects });
    navigate(`/jobs/${res.job.id}`);
  };
  const redeploy = useMutation({
    mutationFn: () => api<Accepted>(`/api/v1/projects/${id}/redeploy`, { method: 'POST' }),
    onSuccess: toJob,
  });
  const remove = useMutation({
    mutationFn: () =>
      api<Accepted>(`/api/v1/projects/${id}${qs({ removeVolumes: volumes })}`, { method: 'DELETE' }),
    onSuccess: toJob,
  });

  if (project.isPending) return <Loading what="Loading project" />;
  if (project.error)
    return (
      <div className="page">
        <h1>Project</h1>
        <ErrorView error={project.error} />
      </div>
    );
  const p = project.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {p.name} <Badge status={p.status} />
        </h1>
        <div className="actions">
          <Button busy={redeploy.isPending} onClick={() => redeploy.mutate()}>
            Redeploy
          </Button>
          <Button variant="danger" onClick={() => setConfirm(true)}>
            Delete
          </Button>
        </div>
      </div>
      <ErrorView error={redeploy.error ?? remove.error} />
      <Card title="Details">
        <dl className="kv">
          <dt>URL</dt>
          <dd>
            {p.url ? (
              <a href={p.url} target="_blank" rel="noreferrer noopener">
                {p.url}
              </a>
            ) : (
              '—'
            )}
          </dd>
          <dt>Kind</dt>
          <dd>{p.kind}</dd>
          <dt>Runs on</dt>
          <dd>{p.target === 'swarm' ? `Swarm · ${p.replicas ?? 1} replica(s)` : 'this host'}</dd>
          <dt>Host port</dt>
          <dd>{p.hostPort ?? '—'}</dd>
          {p.image && (
            <>
              <dt>Image</dt>
              <dd>{p.image}</dd>
            </>
          )}
          {p.repo && (
            <>
              <dt>Repository</dt>
              <dd>
                {p.repo.url ? (
                  <a href={p.repo.url} target="_blank" rel="noreferrer noopener">
                    {p.repo.owner}/{p.repo.name}
                  </a>
                ) : (
                  `${p.repo.owner}/${p.repo.name}`
                )}
              </dd>
            </>
          )}
          {p.path && (
            <>
              <dt>Folder</dt>
              <dd>{p.path}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{formatTime(p.createdAt)}</dd>
          <dt>Last job</dt>
          <dd>{p.lastJobId ? <Link to={`/jobs/${p.lastJobId}`}>view log</Link> : '—'}</dd>
        </dl>
      </Card>
      {swarm && (
        <Card title="Swarm tasks">
          {tasks.isPending ? (
            <Loading />
          ) : tasks.error ? (
            <ErrorView error={tasks.error} />
          ) : (
            <ul className="plain">
              {tasks.data.items
                .filter((t) => t.desiredState === 'running' || t.error)
                .map((t) => (
                  <li key={t.id}>
                    <Badge status={t.state} /> {t.service}.{t.slot ?? '?'} on {t.node ?? '—'}
                    {t.error && <span className="muted small"> · {t.error}</span>}
                  </li>
                ))}
              {tasks.data.items.length === 0 && <li className="muted">No tasks.</li>}
            </ul>
          )}
        </Card>
      )}
      <Card
        title="Containers"
        actions={<Button onClick={() => setLogs((l) => !l)}>{logs ? 'Hide logs' : 'Live logs'}</Button>}
      >
        {containers.isPending ? (
          <Loading />
        ) : containers.error ? (
          <ErrorView error={containers.error} />
        ) : (
          <ul className="plain">
            {containers.data.items.map((c) => (
              <li key={c.id}>
                <Badge status={c.state} /> {c.name} <span className="muted small">{c.image}</span>
              </li>
            ))}
            {containers.data.items.length === 0 && <li className="muted">No containers.</li>}
          </ul>
        )}
        {logs && <ContainerLogs targets={[{ kind: 'project', id }]} />}
      </Card>
      <ConfirmDialog
        open={confirm}
        title={`Delete ${p.name}?`}
        confirmLabel="Delete project"
        busy={remove.isPending}
        onClose={() => setConfirm(false)}
        onConfirm={() => remove.mutate()}
      >
        <p>Removes its containers, its route and its port reservation.</p>
        <label className="check-label">
          <input type="checkbox" checked={volumes} onChange={(e) => setVolumes(e.target.checked)} /> Also
          remove volumes
        </label>
      </ConfirmDialog>
    </div>
  );
}
