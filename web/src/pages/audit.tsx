import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { queries } from '../api/queries.js';
import { Badge, Button, Card, Empty, ErrorView, Field, Loading } from '../components/ui.js';
import { splitErrors } from '../lib/form-errors.js';
import { formatTime } from '../lib/format.js';
import { useTitle } from '../lib/use-title.js';

const EMPTY = { action: '', actor: '', projectId: '' };

/** The audit log: filters (action, actor, project), newest first, "Load more" pages through nextCursor. */
export default function Audit() {
  useTitle('Audit log');
  const [draft, setDraft] = useState(EMPTY);
  const [filters, setFilters] = useState(EMPTY);
  const q = useInfiniteQuery(queries.audit(filters));
  const errors = splitErrors(q.error, ['action', 'actor', 'projectId']);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ action: draft.action.trim(), actor: draft.actor.trim(), projectId: draft.projectId.trim() });
  };
  return (
    <div className="page">
      <h1>Audit log</h1>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <Field label="Action" error={errors.fields.action}>
          {(p) => (
            <input
              {...p}
              name="action"
              placeholder="e.g. settings.update"
              value={draft.action}
              onChange={(e) => setDraft({ ...draft, action: e.target.value })}
            />
          )}
        </Field>
        <Field label="Actor" error={errors.fields.actor}>
          {(p) => (
            <input
              {...p}
              name="actor"
              value={draft.actor}
              onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
            />
          )}
        </Field>
        <Field label="Project id" error={errors.fields.projectId}>
          {(p) => (
            <input
              {...p}
              name="projectId"
              value={draft.projectId}
              onChange={(e) => setDraft({ ...draft, projectId: e.target.value })}
            />
          )}
        </Field>
        <div className="actions">
          <Button type="submit" variant="primary" busy={q.isFetching && !q.isFetchingNextPage}>
            Apply
          </Button>
          <Button
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Reset
          </Button>
        </div>
      </form>
      <Card title="Entries">
        {q.isPending ? (
          <Loading />
        ) : q.error ? (
          errors.general.length > 0 ? (
            <ErrorView error={q.error} />
          ) : null
        ) : items.length === 0 ? (
          <Empty>No entries match.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Actor</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Result</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.id} data-action={a.action}>
                    <td>{formatTime(a.at)}</td>
                    <td>{a.actor ?? '—'}</td>
                    <td>
                      <code>{a.action}</code>
                    </td>
                    <td className="wrap">{a.target ?? '—'}</td>
                    <td>
                      <Badge status={a.result} />
                    </td>
                    <td className="wrap small">
                      {Object.keys(a.details).length ? <code>{JSON.stringify(a.details)}</code> : ''}
                      <div className="muted">
                        {a.ip ?? ''} {a.requestId ? `· ${a.requestId}` : ''}
                      </div>
                    </td>
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
      </Card>
    </div>
  );
}
