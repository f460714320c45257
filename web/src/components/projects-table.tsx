import type { Job, Project } from '../api/types.js';
import { timeAgo } from '../lib/format.js';
import { jobTitle } from '../lib/job-words.js';
import { Link } from '../lib/router.js';
import { Badge } from './ui.js';

/** A project's kind, in words. */
export const KIND_WORDS: Record<Project['kind'], string> = {
  quick: 'quick service',
  existing: 'compose project',
  template: 'from a template',
  forward: 'forward',
};

/** Statuses that need someone to look (stopped is a choice, not a problem). */
export const NEEDS_ATTENTION = new Set(['degraded', 'missing', 'failed']);

/** Projects with their status as the engine tells it (and why), address and last job, by its title. */
export function ProjectsTable({ projects, jobs }: { projects: Project[]; jobs: Map<string, Job> }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>URL</th>
            <th>Last job</th>
          </tr>
        </thead>
        <tbody>
          {projects.map((p) => {
            const job = p.lastJobId ? jobs.get(p.lastJobId) : undefined;
            return (
              <tr key={p.id} data-project={p.name}>
                <td>
                  <Link to={`/projects/${p.id}`}>{p.name}</Link>{' '}
                  <span className="muted small">{KIND_WORDS[p.kind]}</span>
                </td>
                <td>
                  <Badge status={p.status} reason={p.statusReason} />
                  {p.statusReason && <div className="muted small status-reason">{p.statusReason}</div>}
                </td>
                <td>
                  {p.url ? (
                    <a href={p.url} target="_blank" rel="noreferrer noopener">
                      {p.hostname || p.url}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {p.lastJobId ? (
                    <Link to={`/jobs/${p.lastJobId}`}>
                      {job ? (
                        <>
                          <Badge status={job.status} /> {jobTitle(job, p.name)} ·{' '}
                          {timeAgo(job.finishedAt ?? job.createdAt)}
                        </>
                      ) : (
                        'view'
                      )}
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
