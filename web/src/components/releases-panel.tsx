import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Accepted, Items, Release } from '../api/types.js';
import { formatTime } from '../lib/format.js';
import { Link, navigate } from '../lib/router.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Badge, Button, Card, Empty, ErrorView, Loading } from './ui.js';

/** How a release replaced the one before it, in words. */
const STRATEGY_WORDS: Record<Release['strategy'], string> = {
  'blue-green': 'blue/green',
  'stop-start': 'stop-then-start',
  rolling: 'rolling update on Swarm',
};

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** A project's releases, newest first: which one is live, what each ran, and a rollback to any other. */
export function ReleasesPanel({ projectId }: { projectId: string }) {
  const qc = useQueryClient();
  const [target, setTarget] = useState<Release | null>(null);
  const releases = useQuery({
    queryKey: keys.releases(projectId),
    queryFn: () => api<Items<Release>>(`/api/v1/projects/${projectId}/releases`),
    refetchInterval: 15_000,
  });
  const tunnel = useQuery(queries.tunnel.state());
  const rollback = useMutation({
    mutationFn: (r: Release) =>
      api<Accepted>(`/api/v1/projects/${projectId}/releases/${r.id}/rollback`, { method: 'POST' }),
    onSuccess: (res) => {
      void qc.invalidateQueries({ queryKey: keys.projects });
      navigate(`/jobs/${res.job.id}`);
    },
  });
  const warning = tunnel.data?.restart.warning;
  return (
    <Card title="Releases">
      {warning && (
        <div className="alert alert-warn" role="status">
          {warning}
        </div>
      )}
      <ErrorView error={rollback.error} />
      {releases.isPending ? (
        <Loading />
      ) : releases.error ? (
        <ErrorView error={releases.error} />
      ) : releases.data.items.length === 0 ? (
        <Empty>No release yet: every successful deploy becomes one.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Release</th>
                <th>Images</th>
                <th>Commit</th>
                <th>Port</th>
                <th>By</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {releases.data.items.map((r) => (
                <tr key={r.id}>
                  <td title={r.createdAt}>
                    #{r.seq} {r.live && <Badge status="live" />}
                    <div className="muted small">
                      {formatTime(r.createdAt)} · {STRATEGY_WORDS[r.strategy]}
                    </div>
                  </td>
                  <td className="small">
                    {r.images.map((i) => (
                      <div key={i.service}>
                        {i.service}: {i.image} <span className="mono muted">{short(i.digest)}</span>
                      </div>
                    ))}
                  </td>
                  <td className="mono small">{r.commit ? r.commit.slice(0, 12) : '—'}</td>
                  <td>{r.hostPort ?? '—'}</td>
                  <td className="small">{r.actor ?? '—'}</td>
                  <td className="actions">
                    {r.jobId && <Link to={`/jobs/${r.jobId}`}>log</Link>}
                    {!r.live && <Button onClick={() => setTarget(r)}>Roll back</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={target !== null}
        title={`Roll back to release #${target?.seq}?`}
        confirmLabel={`Roll back to #${target?.seq}`}
        busy={rollback.isPending}
        onClose={() => setTarget(null)}
        onConfirm={() => target && rollback.mutate(target)}
      >
        <p>
          Runs release #{target?.seq} again exactly as it ran: the same images (by digest)
          {target?.commit ? `, commit ${target.commit.slice(0, 12)}` : ''} and configuration, beside the live
          one; the route switches once it answers.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
