import type { SortKey } from '../lib/containers-view.js';
import { formatCpu, imageTitle, shortImage } from '../lib/containers-view.js';
import { ContainerActions, portsOf } from './container-actions.js';
import { type ContainersViewProps, GroupTitle, memoryOf } from './containers-table.js';
import { Badge, Field } from './ui.js';

const SORTS: [SortKey, string][] = [
  ['name', 'Name'],
  ['state', 'State'],
  ['image', 'Image'],
  ['cpu', 'CPU'],
  ['memory', 'Memory'],
  ['created', 'Created'],
];

/** The containers on a phone: one card each, grouped by project, sorted by a select instead of headers. */
export function ContainersCards(props: ContainersViewProps) {
  const { groups, stats, sort, onSort } = props;
  return (
    <>
      <div className="filters">
        <Field label="Sort by">
          {(p) => (
            <select {...p} value={sort.key} onChange={(e) => onSort(e.target.value as SortKey)}>
              {SORTS.map(([key, label]) => (
                <option key={key} value={key}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {groups.map((g) => (
        <section key={g.key} className="ccard-group" aria-label={g.title} data-group={g.title}>
          <h3>
            <GroupTitle g={g} /> <span className="muted small">{g.items.length}</span>
          </h3>
          <ul className="ccards">
            {g.items.map((c) => {
              const s = stats.get(c.id);
              return (
                <li key={c.id} className="ccard" data-container={c.name}>
                  <div className="ccard-head">
                    <label className="check-label">
                      <input
                        type="checkbox"
                        aria-label={`Select ${c.name} for logs`}
                        checked={props.selected.has(c.id)}
                        onChange={() => props.onToggle(c.id)}
                      />
                      <strong>{c.name}</strong>
                    </label>
                    <Badge status={c.state} />
                  </div>
                  <dl className="kv small">
                    <dt>Image</dt>
                    <dd title={imageTitle(c)}>{shortImage(c.image)}</dd>
                    <dt>CPU · memory</dt>
                    <dd>
                      {formatCpu(s?.cpuPercent)} · {memoryOf(s)}
                    </dd>
                    <dt>Ports</dt>
                    <dd>{portsOf(c)}</dd>
                    <dt>Status</dt>
                    <dd>{c.status}</dd>
                  </dl>
                  <ContainerActions c={c} busy={props.busy} onAction={props.onAction} />
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </>
  );
}
