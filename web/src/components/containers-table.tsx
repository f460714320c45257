import type { Container, ContainerStats } from '../api/types.js';
import {
  type ContainerGroup,
  formatCpu,
  imageTitle,
  type Sort,
  type SortKey,
  shortImage,
} from '../lib/containers-view.js';
import { formatBytes, timeAgo } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { ContainerActions, type ContainerOp, portsOf } from './container-actions.js';
import { Badge } from './ui.js';

/** Everything a view of the containers needs (the table and the phone cards take the same). */
export interface ContainersViewProps {
  groups: ContainerGroup[];
  stats: Map<string, ContainerStats | undefined>;
  sort: Sort;
  onSort: (key: SortKey) => void;
  selected: Set<string>;
  onToggle: (id: string) => void;
  busy: string | null;
  onAction: (c: Container, op: ContainerOp) => void;
}

const COLUMNS: [SortKey | null, string][] = [
  ['name', 'Name'],
  ['state', 'State'],
  ['image', 'Image'],
  ['cpu', 'CPU'],
  ['memory', 'Memory'],
  [null, 'Ports'],
  ['created', 'Created'],
  [null, 'Actions'],
];

/** Memory as "42 MiB" (of the limit on hover). */
export const memoryOf = (s: ContainerStats | undefined) =>
  s?.memoryBytes === null || s?.memoryBytes === undefined ? '—' : formatBytes(s.memoryBytes);

/** The group's heading: a link to the project when it is one. */
export const GroupTitle = ({ g }: { g: ContainerGroup }) =>
  g.projectId ? <Link to={`/projects/${g.projectId}`}>{g.title}</Link> : g.title;

/** The containers as a table, one body per group, sortable by its column headers. */
export function ContainersTable(props: ContainersViewProps) {
  const { groups, stats, sort, onSort } = props;
  return (
    <div className="table-wrap">
      <table className="containers-table">
        <thead>
          <tr>
            <th>
              <span className="sr-only">Select</span>
            </th>
            {COLUMNS.map(([key, label]) => (
              <th
                key={label}
                aria-sort={
                  key && sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined
                }
              >
                {key ? (
                  <button type="button" className="sort" onClick={() => onSort(key)}>
                    {label}
                    <span aria-hidden="true">{sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                ) : (
                  label
                )}
              </th>
            ))}
          </tr>
        </thead>
        {groups.map((g) => (
          <tbody key={g.key} data-group={g.title}>
            <tr className="group-row">
              <th colSpan={COLUMNS.length + 1} scope="colgroup">
                <GroupTitle g={g} /> <span className="muted small">{g.items.length}</span>
              </th>
            </tr>
            {g.items.map((c) => {
              const s = stats.get(c.id);
              return (
                <tr key={c.id} data-container={c.name}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${c.name} for logs`}
                      checked={props.selected.has(c.id)}
                      onChange={() => props.onToggle(c.id)}
                    />
                  </td>
                  <td>
                    <strong>{c.name}</strong> <span className="muted small">{c.id.slice(0, 12)}</span>
                    {!c.managed && <span className="tag">not managed</span>}
                  </td>
                  <td>
                    <Badge status={c.state} /> <span className="muted small">{c.status}</span>
                  </td>
                  <td className="image-cell">
                    <span title={imageTitle(c)} data-testid="image">
                      {shortImage(c.image)}
                    </span>
                  </td>
                  <td data-testid="cpu">{formatCpu(s?.cpuPercent)}</td>
                  <td
                    data-testid="memory"
                    title={s?.memoryLimitBytes ? `limit ${formatBytes(s.memoryLimitBytes)}` : undefined}
                  >
                    {memoryOf(s)}
                  </td>
                  <td>{portsOf(c)}</td>
                  <td title={c.createdAt}>{timeAgo(c.createdAt)}</td>
                  <td>
                    <ContainerActions c={c} busy={props.busy} onAction={props.onAction} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}
