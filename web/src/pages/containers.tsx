import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, qs } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Container } from '../api/types.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ContainerLogs, type LogTarget } from '../components/container-logs.js';
import { Badge, Button, Card, Empty, ErrorView, Field, Loading } from '../components/ui.js';
import { Link } from '../lib/router.js';

const MAX_STREAMS = 4; // each stream holds a connection; browsers allow ~6 per host over HTTP/1.1

function ports(c: Container): string {
  return (
    c.ports
      .filter((p) => p.hostPort)
      .map((p) => `${p.hostIp ?? ''}:${p.hostPort}→${p.containerPort}`)
      .join(', ') || '—'
  );
}

/** Containers: filters, stop / restart / remove (with confirmation and optional volumes), live logs. */
export default function Containers() {
  const qc = useQueryClient();
  const [filters, setFilters] = useState({ state: 'all', projectId: '', name: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [logTargets, setLogTargets] = useState<LogTarget[] | null>(null);
  const [removing, setRemoving] = useState<Container | null>(null);
  const [removeVolumes, setRemoveVolumes] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const projects = useQuery(queries.projects());
  const list = useQuery({ ...queries.containers(filters), refetchInterval: 5_000 });
  const action = useMutation({
    mutationFn: async ({ c, op }: { c: Container; op: 'stop' | 'restart' | 'remove' }) => {
      setBusy(`${op}:${c.id}`);
      if (op === 'remove')
        return api<null>(`/api/v1/containers/${c.id}${qs({ volumes: removeVolumes })}`, { method: 'DELETE' });
      return api<Container>(`/api/v1/containers/${c.id}/${op}`, { method: 'POST' });
    },
    onSettled: () => {
      setBusy(null);
      void qc.invalidateQueries({ queryKey: keys.containers.all });
    },
    onSuccess: (_d, v) => {
      if (v.op === 'remove') {
        setRemoving(null);
        setRemoveVolumes(false);
      }
    },
  });
  const projectName = new Map((projects.data?.items ?? []).map((p) => [p.id, p.name]));
  const items = list.data?.items ?? [];
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else if (n.size < MAX_STREAMS) n.add(id);
      return n;
    });

  return (
    <div className="page">
      <h1>Containers</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <Field label="State">
          {(p) => (
            <select
              {...p}
              value={filters.state}
              onChange={(e) => setFilters({ ...filters, state: e.target.value })}
            >
              <option value="all">all</option>
              <option value="running">running</option>
              <option value="stopped">stopped</option>
            </select>
          )}
        </Field>
        <Field label="Project">
          {(p) => (
            <select
              {...p}
              value={filters.projectId}
              onChange={(e) => setFilters({ ...filters, projectId: e.target.value })}
            >
              <option value="">any</option>
              {projects.data?.items.map((pr) => (
                <option key={pr.id} value={pr.id}>
                  {pr.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name or image">
          {(p) => (
            <input
              {...p}
              type="search"
              value={filters.name}
              onChange={(e) => setFilters({ ...filters, name: e.target.value })}
            />
          )}
        </Field>
      </form>
      <ErrorView error={action.error} />
      <Card
        title={`Containers${list.data ? ` (${items.length})` : ''}`}
        actions={
          <div className="actions">
            <Button
              disabled={selected.size === 0}
              onClick={() =>
                setLogTargets(
                  items
                    .filter((c) => selected.has(c.id))
                    .map((c) => ({ kind: 'container', id: c.id, name: c.name })),
                )
              }
            >
              Logs of selected ({selected.size})
            </Button>
            <Button
              onClick={() =>
                setLogTargets(
                  filters.projectId ? [{ kind: 'project', id: filters.projectId }] : [{ kind: 'all' }],
                )
              }
            >
              Logs of all running{filters.projectId ? ' in project' : ''}
            </Button>
          </div>
        }
      >
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ErrorView error={list.error} />
        ) : items.length === 0 ? (
          <Empty>No containers match.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>
                    <span className="sr-only">Select</span>
                  </th>
                  <th>Name</th>
                  <th>State</th>
                  <th>Image</th>
                  <th>Ports</th>
                  <th>Project</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} data-container={c.name}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${c.name} for logs`}
                        checked={selected.has(c.id)}
                        onChange={() => toggle(c.id)}
                      />
                    </td>
                    <td>
                      <strong>{c.name}</strong> <span className="muted small">{c.id.slice(0, 12)}</span>
                      {c.managed && <span className="tag">managed</span>}
                    </td>
                    <td>
                      <Badge status={c.state} /> <span className="muted small">{c.status}</span>
                    </td>
                    <td className="wrap">{c.image}</td>
                    <td>{ports(c)}</td>
                    <td>
                      {c.projectId ? (
                        <Link to={`/projects/${c.projectId}`}>
                          {projectName.get(c.projectId) ?? 'project'}
                        </Link>
                      ) : (
                        (c.composeProject ?? '—')
                      )}
                    </td>
                    <td className="row-actions">
                      {c.state === 'running' ? (
                        <Button
                          busy={busy === `stop:${c.id}`}
                          onClick={() => action.mutate({ c, op: 'stop' })}
                          aria-label={`Stop ${c.name}`}
                        >
                          Stop
                        </Button>
                      ) : null}
                      <Button
                        busy={busy === `restart:${c.id}`}
                        onClick={() => action.mutate({ c, op: 'restart' })}
                        aria-label={`${c.state === 'running' ? 'Restart' : 'Start'} ${c.name}`}
                      >
                        {c.state === 'running' ? 'Restart' : 'Start'}
                      </Button>
                      <Button variant="danger" onClick={() => setRemoving(c)} aria-label={`Remove ${c.name}`}>
                        Remove
                      </Button>
                      <Button
                        variant="ghost"
                        onClick={() => setLogTargets([{ kind: 'container', id: c.id, name: c.name }])}
                        aria-label={`Logs of ${c.name}`}
                      >
                        Logs
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {logTargets && (
        <Card
          title="Live logs"
          actions={
            <Button variant="ghost" onClick={() => setLogTargets(null)}>
              Close logs
            </Button>
          }
        >
          <ContainerLogs key={JSON.stringify(logTargets)} targets={logTargets} />
        </Card>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? 'container'}?`}
        confirmLabel="Remove"
        busy={action.isPending}
        onClose={() => {
          setRemoving(null);
          setRemoveVolumes(false);
        }}
        onConfirm={() => removing && action.mutate({ c: removing, op: 'remove' })}
      >
        <p>The container is deleted. This cannot be undone.</p>
        <label className="check-label">
          <input
            type="checkbox"
            checked={removeVolumes}
            onChange={(e) => setRemoveVolumes(e.target.checked)}
          />{' '}
          Also remove its volumes (unless another container uses them)
        </label>
      </ConfirmDialog>
    </div>
  );
}
