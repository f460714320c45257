import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { Accepted, Project } from '../api/types.js';
import { Link } from '../lib/router.js';
import { Button, ErrorView } from './ui.js';

type Action = 'stop' | 'start' | 'restart';

/** Which of stop / start / restart make sense for a project in this state. */
export function lifecycleActions(
  p: Pick<Project, 'kind' | 'status'> & { target?: Project['target'] },
): Action[] {
  if (p.kind === 'forward') return []; // no containers of its own
  if (p.target === 'swarm') return []; // the Swarm keeps its tasks running: redeploy or drain instead
  switch (p.status) {
    case 'running':
      return ['stop', 'restart'];
    case 'degraded':
      return ['start', 'restart', 'stop'];
    case 'stopped':
      return ['start'];
    default:
      return []; // pending, deploying, failed, missing, removed: deploy (again) instead
  }
}

const LABEL: Record<Action, string> = { stop: 'Stop', start: 'Start', restart: 'Restart' };

/**
 * Stop / Start / Restart a project's containers (`POST /api/v1/projects/:id/<action>` → 202 {job}). The job
 * runs in the background: the toast says when it ended and the status follows.
 */
export function ProjectLifecycle({ project }: { project: Project }) {
  const [queued, setQueued] = useState<{ action: Action; jobId: string } | null>(null);
  const run = useMutation({
    mutationFn: (action: Action) =>
      api<Accepted>(`/api/v1/projects/${project.id}/${action}`, { method: 'POST' }),
    onSuccess: (res, action) => setQueued({ action, jobId: res.job.id }),
  });
  const actions = lifecycleActions(project);
  if (actions.length === 0 && !queued) return null;
  return (
    <>
      {actions.map((a) => (
        <Button
          key={a}
          busy={run.isPending && run.variables === a}
          disabled={run.isPending}
          onClick={() => run.mutate(a)}
        >
          {LABEL[a]}
        </Button>
      ))}
      {queued && (
        <span className="muted small" role="status">
          {LABEL[queued.action]} queued — <Link to={`/jobs/${queued.jobId}`}>follow it</Link>
        </span>
      )}
      {run.error && <ErrorView error={run.error} />}
    </>
  );
}
