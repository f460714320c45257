import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { Accepted, Backup, BackupPolicy, Items } from '../api/types.js';
import { useMe } from '../api/use-me.js';
import { formatBytes, formatTime, timeAgo } from '../lib/format.js';
import { Link, navigate } from '../lib/router.js';
import { BackupPolicyForm } from './backup-policy-form.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Badge, Button, Card, Empty, ErrorView, Loading } from './ui.js';

/** A project's app data backups: the policy, "back up now", the restore check and the list with restore. */
export function BackupsPanel({ projectId, volumeNames }: { projectId: string; volumeNames: string[] }) {
  const qc = useQueryClient();
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const [restoring, setRestoring] = useState<{ backup: Backup; into: 'project' | 'new' } | null>(null);
  const policy = useQuery({
    queryKey: ['backups', projectId, 'policy'],
    queryFn: () => api<BackupPolicy>(`/api/v1/projects/${projectId}/backup-policy`),
  });
  const backups = useQuery({
    queryKey: ['backups', projectId, 'list'],
    queryFn: () => api<Items<Backup>>(`/api/v1/projects/${projectId}/backups`),
    refetchInterval: 15_000,
  });
  const toJob = (res: Accepted) => {
    void qc.invalidateQueries({ queryKey: ['backups', projectId] });
    navigate(`/jobs/${res.job.id}`);
  };
  const now = useMutation({
    mutationFn: () => api<Accepted>(`/api/v1/projects/${projectId}/backups`, { method: 'POST' }),
    onSuccess: toJob,
  });
  const verify = useMutation({
    mutationFn: () => api<Accepted>(`/api/v1/projects/${projectId}/backups/verify`, { method: 'POST' }),
    onSuccess: toJob,
  });
  const restore = useMutation({
    mutationFn: (r: { backup: Backup; into: 'project' | 'new' }) =>
      api<Accepted>(`/api/v1/projects/${projectId}/backups/${r.backup.id}/restore`, {
        method: 'POST',
        body: { into: r.into },
      }),
    onSuccess: toJob,
  });

  if (policy.isPending)
    return (
      <Card title="Backups">
        <Loading />
      </Card>
    );
  if (policy.error)
    return (
      <Card title="Backups">
        <ErrorView error={policy.error} />
      </Card>
    );
  const p = policy.data;
  const isAdmin = me.data?.user.role === 'admin';
  const state = p.state;
  return (
    <Card
      title="Backups"
      actions={
        <>
          {isAdmin && (
            <Button onClick={() => setEditing((e) => !e)}>
              {editing ? 'Close' : p.configured ? 'Edit policy' : 'Set up'}
            </Button>
          )}
          {p.configured && (
            <>
              <Button busy={verify.isPending} onClick={() => verify.mutate()}>
                Check restore
              </Button>
              <Button variant="primary" busy={now.isPending} onClick={() => now.mutate()}>
                Back up now
              </Button>
            </>
          )}
        </>
      }
    >
      <ErrorView error={now.error ?? verify.error ?? restore.error} />
      {state.failing && (
        <div className="alert alert-error" role="alert">
          {state.lastStatus === 'failed' || state.lastStatus === 'partial'
            ? `The last backup ${state.lastStatus === 'partial' ? 'was partial' : 'failed'} ${timeAgo(state.lastRunAt)}: ${state.lastError ?? ''}`
            : `The last restore check failed ${timeAgo(state.lastVerifyAt)}: ${state.lastVerifyError ?? ''}`}{' '}
          {state.lastJobId && <Link to={`/jobs/${state.lastJobId}`}>view log</Link>}
        </div>
      )}
      {!p.configured && !editing && (
        <Empty>No backups set up for this project{isAdmin ? '' : ' (an admin can set them up)'}.</Empty>
      )}
      {p.configured && !editing && (
        <dl className="kv">
          <dt>Backs up</dt>
          <dd>
            {[...p.volumes.map((v) => `volume ${v}`), ...p.databases.map((d) => `database ${d}`)].join(', ')}
          </dd>
          <dt>Repository</dt>
          <dd className="mono small">{p.repository}</dd>
          <dt>Schedule</dt>
          <dd>
            {p.schedule
              ? `${p.schedule} (${p.timezone}) · next ${formatTime(state.nextRunAt)}`
              : 'manual only'}
            {p.beforeDeploy ? ' · before every deploy' : ''}
          </dd>
          <dt>Keeps</dt>
          <dd>
            last {p.retention.last}, daily {p.retention.daily}, weekly {p.retention.weekly}
          </dd>
          <dt>Restore check</dt>
          <dd>
            {state.lastVerifyStatus ? (
              <>
                <Badge status={state.lastVerifyStatus} /> {timeAgo(state.lastVerifyAt)}
              </>
            ) : (
              'not run yet'
            )}
            {p.verifySchedule ? ` · ${p.verifySchedule}` : ''}
          </dd>
        </dl>
      )}
      {editing && (
        <BackupPolicyForm
          projectId={projectId}
          policy={p}
          volumeNames={volumeNames}
          onSaved={() => setEditing(false)}
        />
      )}
      {p.configured &&
        (backups.isPending ? (
          <Loading />
        ) : backups.error ? (
          <ErrorView error={backups.error} />
        ) : backups.data.items.length === 0 ? (
          <Empty>No backups yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Status</th>
                  <th>Contents</th>
                  <th>Size</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {backups.data.items.map((b) => (
                  <tr key={b.id}>
                    <td title={b.createdAt}>
                      {formatTime(b.createdAt)} <span className="muted small">{b.reason}</span>
                    </td>
                    <td>
                      <Badge status={b.status} />
                      {b.error && <div className="muted small">{b.error}</div>}
                    </td>
                    <td className="small">{[...b.volumes, ...b.databases].join(', ') || '—'}</td>
                    <td>{formatBytes(b.size)}</td>
                    <td className="actions">
                      {b.jobId && <Link to={`/jobs/${b.jobId}`}>log</Link>}
                      {(b.status === 'succeeded' || b.status === 'partial') && (
                        <>
                          <Button onClick={() => setRestoring({ backup: b, into: 'new' })}>
                            Restore as copy
                          </Button>
                          <Button
                            variant="danger"
                            onClick={() => setRestoring({ backup: b, into: 'project' })}
                          >
                            Restore
                          </Button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <ConfirmDialog
        open={restoring !== null}
        title={restoring?.into === 'project' ? 'Restore into the project?' : 'Restore as a copy?'}
        confirmLabel="Start restore"
        busy={restore.isPending}
        onClose={() => setRestoring(null)}
        onConfirm={() => restoring && restore.mutate(restoring)}
      >
        {restoring?.into === 'project' ? (
          <p>
            The project is stopped, its volumes are replaced with the backup of{' '}
            {formatTime(restoring.backup.createdAt)} (checked byte for byte first), it is started again, and
            the database dumps are loaded into the running databases. Changes made since then are lost.
          </p>
        ) : (
          <p>
            New volumes and new databases are made from the backup for inspection; the project is not touched.
          </p>
        )}
      </ConfirmDialog>
    </Card>
  );
}
