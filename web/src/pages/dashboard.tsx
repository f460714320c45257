import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { queries } from '../api/queries.js';
import type { BackupStatus, Items, Project } from '../api/types.js';
import { HostCharts } from '../components/metrics-charts.js';
import { NEEDS_ATTENTION, ProjectsTable } from '../components/projects-table.js';
import { Badge, Card, Empty, ErrorView, Loading } from '../components/ui.js';
import { formatBytes, timeAgo } from '../lib/format.js';
import { jobTitle } from '../lib/job-words.js';
import { Link } from '../lib/router.js';
import { useTitle } from '../lib/use-title.js';

/** Loud failures: projects whose last backup failed or was partial, or whose restore check failed. */
function BackupAlerts() {
  const status = useQuery({
    queryKey: ['backups', 'status'],
    queryFn: () => api<Items<BackupStatus>>('/api/v1/backups/status'),
    refetchInterval: 30_000,
  });
  const failing = (status.data?.items ?? []).filter((s) => s.failing);
  if (failing.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert">
      <strong>Backups need attention:</strong>
      <ul>
        {failing.map((s) => (
          <li key={s.projectId}>
            <Link to={`/projects/${s.projectId}`}>{s.projectName}</Link>:{' '}
            {s.lastStatus === 'failed' || s.lastStatus === 'partial'
              ? `last backup ${s.lastStatus} ${timeAgo(s.lastRunAt)}${s.lastError ? ` — ${s.lastError}` : ''}`
              : `restore check failed ${timeAgo(s.lastVerifyAt)}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Projects whose containers say something is wrong, at the top where nobody can miss them. */
function Attention({ projects }: { projects: Project[] }) {
  const wrong = projects.filter((p) => NEEDS_ATTENTION.has(p.status));
  if (wrong.length === 0) return null;
  return (
    <div className="alert alert-warn" role="status" data-testid="needs-attention">
      <strong>{wrong.length === 1 ? '1 project needs' : `${wrong.length} projects need`} attention:</strong>
      <ul>
        {wrong.map((p) => (
          <li key={p.id}>
            <Link to={`/projects/${p.id}`}>{p.name}</Link> is {p.status}
            {p.statusReason ? ` — ${p.statusReason}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Projects() {
  const projects = useQuery({ ...queries.projects(), refetchInterval: 10_000 });
  const jobs = useQuery({ ...queries.jobs.recent(), refetchInterval: 10_000 });
  const jobById = new Map((jobs.data?.items ?? []).map((j) => [j.id, j]));
  return (
    <>
      {projects.data && <Attention projects={projects.data.items} />}
      <Card
        title="Projects"
        actions={
          <Link className="btn btn-primary" to="/projects/new">
            New project
          </Link>
        }
      >
        {projects.isPending ? (
          <Loading />
        ) : projects.error ? (
          <ErrorView error={projects.error} />
        ) : projects.data.items.length === 0 ? (
          <Empty>
            No projects yet. <Link to="/projects/new">Create the first one</Link>.
          </Empty>
        ) : (
          <ProjectsTable projects={projects.data.items} jobs={jobById} />
        )}
      </Card>
    </>
  );
}

function RunningJobs() {
  const q = useQuery({ ...queries.jobs.running(), refetchInterval: 3_000 });
  return (
    <Card title="Running jobs" actions={<Link to="/jobs">All jobs</Link>}>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorView error={q.error} />
      ) : q.data.items.length === 0 ? (
        <Empty>Nothing running.</Empty>
      ) : (
        <ul className="plain">
          {q.data.items.map((j) => (
            <li key={j.id}>
              <Link to={`/jobs/${j.id}`}>
                <Badge status={j.status} /> {jobTitle(j)}
              </Link>{' '}
              <span className="muted small">started {timeAgo(j.startedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function TunnelHealthCard() {
  const q = useQuery({ ...queries.health.tunnel(), refetchInterval: 15_000 });
  return (
    <Card title="Tunnel" actions={<Link to="/tunnel">Details</Link>}>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorView error={q.error} />
      ) : (
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <Badge status={q.data.status} />
          </dd>
          <dt>Tunnel</dt>
          <dd>
            {q.data.tunnel?.name ?? '—'} ({q.data.mode})
          </dd>
          <dt>Connections</dt>
          <dd>{q.data.connections ?? '—'}</dd>
          <dt>Config</dt>
          <dd>{q.data.config.valid ? 'valid' : `${q.data.config.errors.length} problem(s)`}</dd>
        </dl>
      )}
    </Card>
  );
}

function Meter({ label, used, total }: { label: string; used: number; total: number }) {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span>
          {formatBytes(used)} / {formatBytes(total)} ({pct}%)
        </span>
      </div>
      <div className={`meter-bar${pct > 90 ? ' high' : ''}`} aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function SystemCards() {
  const docker = useQuery({ ...queries.system.docker(), refetchInterval: 30_000 });
  const host = useQuery({ ...queries.system.host(), refetchInterval: 15_000 });
  return (
    <>
      <Card title="Host">
        {host.isPending ? (
          <Loading />
        ) : host.error ? (
          <ErrorView error={host.error} />
        ) : (
          <>
            <Meter
              label="Memory"
              used={host.data.memoryTotal - host.data.memoryAvailable}
              total={host.data.memoryTotal}
            />
            <Meter
              label={`Disk ${host.data.disk.path}`}
              used={host.data.disk.total - host.data.disk.free}
              total={host.data.disk.total}
            />
            <p className="muted small">
              {host.data.cpus} CPUs · load {host.data.load.map((l) => l.toFixed(2)).join(' / ')}
            </p>
          </>
        )}
      </Card>
      <Card title="Docker disk usage" actions={<Link to="/containers">Containers</Link>}>
        {docker.isPending ? (
          <Loading />
        ) : docker.error ? (
          <ErrorView error={docker.error} />
        ) : (
          <dl className="kv">
            <dt>Containers</dt>
            <dd>
              {docker.data.containers.running} running / {docker.data.containers.total}
            </dd>
            <dt>Images</dt>
            <dd>
              {docker.data.images.count} · {formatBytes(docker.data.images.size)}
            </dd>
            <dt>Volumes</dt>
            <dd>
              {docker.data.volumes.count} · {formatBytes(docker.data.volumes.size)}
            </dd>
            <dt>Build cache</dt>
            <dd>{formatBytes(docker.data.buildCache.size)}</dd>
            <dt>Total</dt>
            <dd>
              {formatBytes(docker.data.totalSize)} ({formatBytes(docker.data.reclaimable)} reclaimable)
            </dd>
            <dt>Measured</dt>
            <dd>{timeAgo(docker.data.measuredAt)}</dd>
          </dl>
        )}
      </Card>
    </>
  );
}

/** Overview: projects with status, URL and last job; host history; running jobs; tunnel, host and Docker usage. */
export function Dashboard() {
  useTitle('Dashboard');
  return (
    <div className="page">
      <h1>Dashboard</h1>
      <BackupAlerts />
      <Projects />
      <Card title="Host history">
        <HostCharts />
      </Card>
      <div className="cards">
        <RunningJobs />
        <TunnelHealthCard />
        <SystemCards />
      </div>
    </div>
  );
}
