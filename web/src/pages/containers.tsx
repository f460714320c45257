import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, qs } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Container, ContainerStats } from '../api/types.js';
import { useMe } from '../api/use-me.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import type { ContainerOp } from '../components/container-actions.js';
import { ContainerLogs, type LogTarget } from '../components/container-logs.js';
import { ContainersCards } from '../components/containers-cards.js';
import { ContainersTable } from '../components/containers-table.js';
import { Button, Card, Empty, ErrorView, Field, Loading } from '../components/ui.js';
import {
  firstRows,
  groupContainers,
  type Sort,
  type SortKey,
  sortContainers,
} from '../lib/containers-view.js';
import { NARROW, useMediaQuery } from '../lib/use-media.js';
import { useTitle } from '../lib/use-title.js';

const MAX_STREAMS = 4; // each stream holds a connection; browsers allow ~6 per host over HTTP/1.1
const MAX_STATS = 40; // one-shot stats take the engine about a second each: measure what is on screen
const PAGE = 100; // rows drawn at once: a host with a thousand containers stays quick to show and to scroll

/** CPU and memory of the running containers shown, refreshed every 15 s. */
function useStats(ids: string[]): Map<string, ContainerStats | undefined> {
  const results = useQueries({
    queries: ids.slice(0, MAX_STATS).map((id) => ({
      ...queries.containerStats(id),
      refetchInterval: 15_000,
      staleTime: 10_000,
      retry: false,
    })),
  });
  return new Map(ids.slice(0, MAX_STATS).map((id, i) => [id, results[i]?.data]));
}

/**
 * Containers: the panel's own by default (an admin may show every container on the host), grouped by
 * project, sortable, with CPU and memory now; stop / restart / remove (confirmed, optionally with volumes)
 * and live logs. On a phone, cards instead of the table.
 */
export default function Containers() {
  useTitle('Containers');
  const qc = useQueryClient();
  const me = useMe();
  const isAdmin = me.data?.user.role === 'admin';
  const narrow = useMediaQuery(NARROW);
  const [filters, setFilters] = useState({ state: 'all', projectId: '', name: '' });
  const [showAll, setShowAll] = useState(false);
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 1 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [logTargets, setLogTargets] = useState<{ targets: LogTarget[]; name: string } | null>(null);
  const [removing, setRemoving] = useState<Container | null>(null);
  const [removeVolumes, setRemoveVolumes] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [limit, setLimit] = useState(PAGE);
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
      void qc.invalidateQueries({ queryKey: keys.projects });
    },
    onSuccess: (_d, v) => {
      if (v.op === 'remove') {
        setRemoving(null);
        setRemoveVolumes(false);
      }
    },
  });
  const projectName = useMemo(
    () => new Map((projects.data?.items ?? []).map((p) => [p.id, p.name])),
    [projects.data],
  );
  const all = list.data?.items ?? [];
  const items = showAll && isAdmin ? all : all.filter((c) => c.managed);
  const hidden = all.length - items.length;
  // Sorted before the first PAGE are cut; usage is measured for the rows drawn (by name for a usage sort,
  // whose figures come from that measurement).
  const grouped = groupContainers(items, projectName);
  const byName: Sort = sort.key === 'cpu' || sort.key === 'memory' ? { key: 'name', dir: 1 } : sort;
  const measured = firstRows(
    grouped.map((g) => ({ ...g, items: sortContainers(g.items, byName, new Map()) })),
    limit,
  );
  const stats = useStats(
    measured.flatMap((g) => g.items.filter((c) => c.state === 'running').map((c) => c.id)),
  );
  const groups = firstRows(
    grouped.map((g) => ({ ...g, items: sortContainers(g.items, sort, stats) })),
    limit,
  );
  const drawn = groups.reduce((n, g) => n + g.items.length, 0);
  const onSort = (key: SortKey) =>
    setSort((s) => ({
      key,
      dir: s.key === key ? (s.dir === 1 ? -1 : 1) : key === 'cpu' || key === 'memory' ? -1 : 1,
    }));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else if (n.size < MAX_STREAMS) n.add(id);
      return n;
    });
  const onAction = (c: Container, op: ContainerOp) => {
    if (op === 'logs')
      setLogTargets({ targets: [{ kind: 'container', id: c.id, name: c.name }], name: c.name });
    else if (op === 'remove') setRemoving(c);
    else action.mutate({ c, op });
  };
  const view = { groups, stats, sort, onSort, selected, onToggle: toggle, busy, onAction };

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
        {isAdmin && (
          <label className="check-label">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> Show
            containers the panel does not manage{!showAll && hidden > 0 ? ` (${hidden})` : ''}
          </label>
        )}
      </form>
      <ErrorView error={action.error} />
      <Card
        title={`Containers${list.data ? ` (${items.length})` : ''}`}
        actions={
          <div className="actions">
            <Button
              disabled={selected.size === 0}
              onClick={() => {
                const picked = items.filter((c) => selected.has(c.id));
                setLogTargets({
                  targets: picked.map((c) => ({ kind: 'container', id: c.id, name: c.name })),
                  name: picked.length === 1 ? (picked[0]?.name ?? 'containers') : 'containers',
                });
              }}
            >
              Logs of selected ({selected.size})
            </Button>
            <Button
              onClick={() =>
                setLogTargets({
                  targets: filters.projectId
                    ? [{ kind: 'project', id: filters.projectId }]
                    : [{ kind: 'all' }],
                  name: filters.projectId ? (projectName.get(filters.projectId) ?? 'project') : 'containers',
                })
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
          <Empty>
            {hidden > 0
              ? `No container of the panel matches; ${hidden} other container${hidden === 1 ? '' : 's'} hidden.`
              : 'No containers match.'}
          </Empty>
        ) : (
          <>
            {narrow ? <ContainersCards {...view} /> : <ContainersTable {...view} />}
            {drawn < items.length && (
              <div className="actions more">
                <Button onClick={() => setLimit((l) => l + PAGE)}>
                  Show {Math.min(PAGE, items.length - drawn)} more ({drawn} of {items.length} shown)
                </Button>
              </div>
            )}
          </>
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
          <ContainerLogs
            key={JSON.stringify(logTargets.targets)}
            targets={logTargets.targets}
            name={logTargets.name}
          />
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
