import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { queries } from '../api/queries.js';
import { Badge, Button, Empty, ErrorView, Field, Loading } from '../components/ui.js';
import { duration, timeAgo } from '../lib/format.js';
import { jobTitle } from '../lib/job-words.js';
import { Link } from '../lib/router.js';
import { useTitle } from '../lib/use-title.js';

const STATUSES = ['', 'queued', 'running', 'succeeded', 'failed', 'canceled', 'interrupted'];

/** All jobs, newest first, filterable by status, paged with nextCursor. */
export default function Jobs() {
  useTitle('Jobs');
  const [status, setStatus] = useState('');
  const q = useInfiniteQuery({ ...queries.jobs.list(status), refetchInterval: 5_000 });
  const projects = useQuery(queries.projects());
  const projectName = new Map((projects.data?.items ?? []).map((p) => [p.id, p.name]));
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page">
      <h1>Jobs</h1>
      <div className="filters">
        <Field label="Status">
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value)}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s || 'any'}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorView error={q.error} />
      ) : items.length === 0 ? (
        <Empty>No jobs.</Empty>
      ) : (
        <div className="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Job</th>
                <th>Status</th>
                <th>Created</th>
                <th>Duration</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => (
                <tr key={j.id} data-job={j.id}>
                  <td>
                    <Link to={`/jobs/${j.id}`}>
                      {jobTitle(j, j.projectId ? projectName.get(j.projectId) : null)}
                    </Link>
                  </td>
                  <td>
                    <Badge status={j.status} />
                  </td>
                  <td title={j.createdAt}>{timeAgo(j.createdAt)}</td>
                  <td>{duration(j.startedAt, j.finishedAt)}</td>
                  <td>{j.actor ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {q.hasNextPage && (
        <Button busy={q.isFetchingNextPage} onClick={() => q.fetchNextPage()}>
          Load more
        </Button>
      )}
    </div>
  );
}
