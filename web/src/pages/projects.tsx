import { useQuery } from '@tanstack/react-query';
import { queries } from '../api/queries.js';
import { NEEDS_ATTENTION, ProjectsTable } from '../components/projects-table.js';
import { Card, Empty, ErrorView, Field, Loading } from '../components/ui.js';
import { Link, navigate, useLocation } from '../lib/router.js';
import { useTitle } from '../lib/use-title.js';

const FILTERS: [string, string][] = [
  ['', 'any'],
  ['attention', 'needs attention'],
  ['running', 'running'],
  ['degraded', 'degraded'],
  ['stopped', 'stopped'],
  ['missing', 'missing'],
  ['failed', 'failed'],
];

/** Every project with its status (filterable; `?status=` keeps the choice in the address). */
export default function Projects() {
  useTitle('Projects');
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const projects = useQuery({ ...queries.projects(), refetchInterval: 10_000 });
  const jobs = useQuery({ ...queries.jobs.recent(), refetchInterval: 10_000 });
  const jobById = new Map((jobs.data?.items ?? []).map((j) => [j.id, j]));
  const items = (projects.data?.items ?? []).filter((p) =>
    status === '' ? true : status === 'attention' ? NEEDS_ATTENTION.has(p.status) : p.status === status,
  );
  return (
    <div className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <Link className="btn btn-primary" to="/projects/new">
          New project
        </Link>
      </div>
      <div className="filters">
        <Field label="Status">
          {(p) => (
            <select
              {...p}
              value={status}
              onChange={(e) =>
                navigate(e.target.value ? `/projects?status=${e.target.value}` : '/projects', {
                  replace: true,
                })
              }
            >
              {FILTERS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Card title={`Projects${projects.data ? ` (${items.length})` : ''}`}>
        {projects.isPending ? (
          <Loading />
        ) : projects.error ? (
          <ErrorView error={projects.error} />
        ) : items.length === 0 ? (
          <Empty>No projects{status ? ' with this status' : ''}.</Empty>
        ) : (
          <ProjectsTable projects={items} jobs={jobById} />
        )}
      </Card>
    </div>
  );
}
