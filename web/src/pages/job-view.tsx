import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Job, JobLogLine } from '../api/types.js';
import { LiveLinks } from '../components/live-links.js';
import { LogView } from '../components/log-view.js';
import { Badge, Button, ErrorView, Loading } from '../components/ui.js';
import { duration, formatTime } from '../lib/format.js';
import { closeSteps, deriveSteps } from '../lib/job-steps.js';
import { jobTitle } from '../lib/job-words.js';
import { lastSeqOf, mergeBySeq } from '../lib/log-buffer.js';
import { Link } from '../lib/router.js';
import { type StreamState, useEventSource } from '../lib/use-event-source.js';
import { useTitle } from '../lib/use-title.js';

const FINISHED = new Set(['succeeded', 'failed', 'canceled', 'interrupted']);
const STREAM_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Connection lost — reconnecting…',
  ended: 'Finished',
  error: 'Live log unavailable',
};

/** One job: status, cancel, steps and the live log (SSE, resumable, de-duplicated by seq). */
export default function JobView({ id }: { id: string }) {
  const qc = useQueryClient();
  const job = useQuery(queries.job(id));
  const projectId = job.data?.projectId ?? null;
  const succeeded = job.data?.status === 'succeeded';
  // Refetched when the job ends: the address and port are final then.
  const project = useQuery({
    ...queries.project(projectId ?? ''),
    enabled: projectId !== null,
    retry: false,
  });
  const title = job.data ? jobTitle(job.data, project.data?.name) : 'Job';
  useTitle(title, 'Jobs');
  const [lines, setLines] = useState<JobLogLine[]>([]);
  const linesRef = useLatest(lines);
  const add = useCallback((incoming: JobLogLine[]) => setLines((cur) => mergeBySeq(cur, incoming)), []);
  const url = job.data ? `/api/v1/jobs/${encodeURIComponent(id)}/logs/stream` : null;
  const stream = useEventSource(
    url,
    {
      log: (data) => add([data as JobLogLine]),
      status: (data) => qc.setQueryData(queries.job(id).queryKey, data as Job),
      end: () => {
        void qc.invalidateQueries({ queryKey: keys.job(id) });
        if (projectId) void qc.invalidateQueries({ queryKey: keys.project(projectId) });
      },
    },
    {
      resumeUrl: () => {
        const after = lastSeqOf(linesRef.current);
        return `/api/v1/jobs/${encodeURIComponent(id)}/logs/stream${after === null ? '' : `?after=${after}`}`;
      },
    },
  );
  const cancel = useMutation({
    mutationFn: () => api<Job>(`/api/v1/jobs/${id}/cancel`, { method: 'POST' }),
    onSuccess: (j) => qc.setQueryData(queries.job(id).queryKey, j),
  });

  const done = job.data ? FINISHED.has(job.data.status) : false;
  const steps = useMemo(() => closeSteps(deriveSteps(lines), done), [lines, done]);
  const viewLines = useMemo(
    () => lines.map((l) => ({ key: l.seq, text: l.text, stream: l.stream })),
    [lines],
  );

  if (job.isPending) return <Loading what="Loading job" />;
  if (job.error)
    return (
      <div className="page">
        <h1>Job</h1>
        <ErrorView error={job.error} />
      </div>
    );
  const j = job.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {title} <Badge status={j.status} />
        </h1>
        {!done && (
          <Button
            variant="danger"
            busy={cancel.isPending || j.cancelRequested}
            onClick={() => cancel.mutate()}
          >
            {j.cancelRequested ? 'Canceling…' : 'Cancel job'}
          </Button>
        )}
      </div>
      <ErrorView error={cancel.error} />
      <dl className="kv inline">
        <dt>Started</dt>
        <dd>{formatTime(j.startedAt ?? j.createdAt)}</dd>
        <dt>Duration</dt>
        <dd>{duration(j.startedAt, j.finishedAt)}</dd>
        <dt>By</dt>
        <dd>{j.actor ?? '—'}</dd>
        {j.projectId && (
          <>
            <dt>Project</dt>
            <dd>
              <Link to={`/projects/${j.projectId}`}>{project.data?.name ?? 'open'}</Link>
            </dd>
          </>
        )}
      </dl>
      {succeeded && project.data && !/^(teardown|project_stop|compose_stop)$/.test(j.type) && (
        <LiveLinks project={project.data} />
      )}
      {j.error && (
        <div className="alert alert-error" role="alert">
          <strong>{j.status === 'canceled' ? 'Canceled:' : 'Failed:'}</strong> {j.error.message}
          {j.projectId && j.status === 'failed' && (
            <div>
              <Link to={`/projects/${j.projectId}`}>Change the project and deploy again</Link>
            </div>
          )}
        </div>
      )}
      <div className="job-grid">
        <section aria-label="Steps" className="card steps">
          <h2>Steps</h2>
          {steps.length === 0 ? (
            <p className="muted small">No steps yet.</p>
          ) : (
            <ol>
              {steps.map((s) => (
                <li key={s.seq} className={`step step-${s.state}`}>
                  <span aria-hidden="true">
                    {s.state === 'done' ? '✓' : s.state === 'failed' ? '✗' : '▶'}
                  </span>{' '}
                  {s.title}
                  {s.took && <span className="muted small"> {s.took}</span>}
                  <span className="sr-only"> ({s.state})</span>
                  {s.reason && <div className="field-error">{s.reason}</div>}
                </li>
              ))}
            </ol>
          )}
        </section>
        <LogView
          lines={viewLines}
          label="Job log"
          status={
            <span className={`stream stream-${stream}`} data-testid="stream-state">
              {STREAM_TEXT[stream]}
            </span>
          }
        />
      </div>
    </div>
  );
}

/** A ref that always holds the latest value (for callbacks created once). */
function useLatest<T>(value: T): { current: T } {
  const [ref] = useState(() => ({ current: value }));
  ref.current = value;
  return ref;
}
