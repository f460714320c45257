import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, qs } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Accepted } from '../api/types.js';
import { BackupsPanel } from '../components/backups-panel.js';
import { PlanView } from '../components/compose-plan.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ContainerLogs } from '../components/container-logs.js';
import { LiveLinks } from '../components/live-links.js';
import { ProjectCharts } from '../components/metrics-charts.js';
import { PolicyCard } from '../components/policy-card.js';
import { ProjectLifecycle } from '../components/project-actions.js';
import { ProjectEditForm } from '../components/project-edit-form.js';
import { ProjectHooks } from '../components/project-hooks.js';
import { KIND_WORDS } from '../components/projects-table.js';
import { ReleasesPanel } from '../components/releases-panel.js';
import { ThresholdsForm } from '../components/thresholds-form.js';
import { Badge, Button, Card, ErrorView, Loading } from '../components/ui.js';
import { imageTitle, shortImage } from '../lib/containers-view.js';
import { formatTime } from '../lib/format.js';
import { Link, navigate } from '../lib/router.js';
import { useTitle } from '../lib/use-title.js';

/** Why the last deploy failed, from its job, with the way forward. */
function FailedBanner({ jobId }: { jobId: string | null }) {
  const job = useQuery({ ...queries.job(jobId ?? ''), enabled: Boolean(jobId) });
  return (
    <div className="alert alert-error" role="alert" data-testid="deploy-failed">
      <strong>The last deploy failed.</strong>{' '}
      {job.data?.error?.message && <span>{job.data.error.message} </span>}
      <div>
        Change what needs changing under “Fix and deploy again” below, then deploy again.
        {jobId && (
          <>
            {' '}
            <Link to={`/jobs/${jobId}`}>Read the log</Link>
          </>
        )}
      </div>
    </div>
  );
}

/** One project: status, stop/start/restart, settings (editable), redeploy, delete, containers, live logs, resource charts, alert thresholds, backups and push to deploy. */
export default function ProjectView({ id }: { id: string }) {
  const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const [volumes, setVolumes] = useState(false);
  const [logs, setLogs] = useState(false);
  const project = useQuery({ ...queries.project(id), refetchInterval: 10_000 });
  useTitle(project.data?.name ?? 'Project', 'Projects');
  const containers = useQuery(queries.containers({ projectId: id }));
  const swarm = project.data?.target === 'swarm';
  // A stack on Swarm runs a stack file, not a Compose plan: there is none to show.
  const plan = useQuery({
    ...queries.projectPlan(id),
    enabled: Boolean(project.data?.composeProject) && !swarm,
    retry: false,
  });
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
  const failed = p.status === 'failed';
  const live = p.status === 'running' || p.status === 'degraded';
  const notYet = failed || p.status === 'pending';
  const editCard = (
    <Card title={notYet ? 'Fix and deploy again' : 'Settings'}>
      <ProjectEditForm project={p} />
    </Card>
  );
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {p.name} <Badge status={p.status} reason={p.statusReason} />
        </h1>
        <div className="actions">
          <ProjectLifecycle project={p} />
          <Button busy={redeploy.isPending} onClick={() => redeploy.mutate()}>
            {p.status === 'missing'
              ? 'Redeploy (recreate its containers)'
              : failed
                ? 'Deploy again'
                : 'Redeploy'}
          </Button>
          <Button variant="danger" onClick={() => setConfirm(true)}>
            Delete
          </Button>
        </div>
      </div>
      {p.statusReason && (
        <p className="status-reason" data-testid="status-reason">
          {p.statusReason}
        </p>
      )}
      <ErrorView error={redeploy.error ?? remove.error} />
      {failed && <FailedBanner jobId={p.lastJobId} />}
      {live && <LiveLinks project={p} />}
      {/* A project that never ran: fixing it comes first. */}
      {notYet && editCard}
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
          <dd>{KIND_WORDS[p.kind]}</dd>
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
      {!notYet && editCard}
      {p.kind !== 'forward' && <ReleasesPanel projectId={id} />}
      {p.composeProject && !swarm && (
        <Card title="Compose plan">
          {plan.isPending ? (
            <Loading />
          ) : plan.error instanceof ApiError && plan.error.status === 404 ? (
            <p className="muted">Not deployed yet: the plan appears once it runs.</p>
          ) : plan.error ? (
            <ErrorView error={plan.error} />
          ) : (
            <PlanView plan={plan.data.plan} />
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
                <Badge status={c.state} /> {c.name}{' '}
                <span className="muted small" title={imageTitle(c)}>
                  {shortImage(c.image)}
                </span>
              </li>
            ))}
            {containers.data.items.length === 0 && <li className="muted">No containers.</li>}
          </ul>
        )}
        {logs && <ContainerLogs targets={[{ kind: 'project', id }]} name={p.name} />}
      </Card>
      <BackupsPanel projectId={id} volumeNames={(containers.data?.volumes ?? []).map((v) => v.name)} />
      <Card title="Resources">
        <ProjectCharts projectId={id} />
      </Card>
      <Card title="Alerts">
        <ThresholdsForm projectId={id} />
      </Card>
      <ProjectHooks id={id} repoBacked={p.repo !== null} />
      <PolicyCard projectId={id} />
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
