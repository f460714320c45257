import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, qs } from '../api/client.js';
import type { Channel, DeliveryAttempt, Items, Page } from '../api/types.js';
import { ChannelForm } from '../components/channel-form.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Badge, Button, Card, Empty, ErrorView, Loading } from '../components/ui.js';
import { formatTime, timeAgo } from '../lib/format.js';
import { useTitle } from '../lib/use-title.js';

interface TestResult {
  ok: boolean;
  message: string;
  statusCode: number | null;
}

function TestButton({ channel }: { channel: Channel }) {
  const test = useMutation({
    mutationFn: () =>
      api<TestResult>(`/api/v1/notifications/channels/${channel.id}/test`, { method: 'POST' }),
  });
  return (
    <>
      <Button busy={test.isPending} onClick={() => test.mutate()} aria-label={`Send test to ${channel.name}`}>
        Send test
      </Button>
      {test.data && (
        <span
          role="status"
          className={test.data.ok ? 'ok-text' : 'field-error'}
          data-testid={`test-${channel.id}`}
        >
          {test.data.ok ? '✓' : '✗'} {test.data.message}
        </span>
      )}
      {test.error && <ErrorView error={test.error} />}
    </>
  );
}

function Deliveries() {
  const q = useInfiniteQuery({
    queryKey: ['deliveries'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      api<Page<DeliveryAttempt>>(`/api/v1/notifications/deliveries${qs({ cursor: pageParam, limit: 50 })}`),
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 10_000,
  });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorView error={q.error} />;
  const items = q.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>Nothing sent yet.</Empty>;
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Channel</th>
              <th>Event</th>
              <th>Attempt</th>
              <th>Result</th>
              <th>Delivery</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td title={formatTime(a.at)}>{timeAgo(a.at)}</td>
                <td>{a.channel.name}</td>
                <td>
                  <code>{a.event}</code> <span className="muted small">{a.title}</span>
                </td>
                <td>{a.attempt}</td>
                <td>
                  <Badge status={a.ok ? 'ok' : 'failed'} /> <span className="small">{a.message}</span>
                </td>
                <td>
                  <Badge status={a.deliveryStatus} />
                  {a.nextAttemptAt && <span className="muted small"> retry {timeAgo(a.nextAttemptAt)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {q.hasNextPage && (
        <Button busy={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          Load more
        </Button>
      )}
    </>
  );
}

/** Notification channels (admin): add, edit, test, enable, delete; and the delivery log. */
export default function Notifications() {
  useTitle('Notifications');
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [removing, setRemoving] = useState<Channel | null>(null);
  const list = useQuery({
    queryKey: ['channels'],
    queryFn: () => api<Items<Channel>>('/api/v1/notifications/channels'),
  });
  const toggle = useMutation({
    mutationFn: (c: Channel) =>
      api<Channel>(`/api/v1/notifications/channels/${c.id}`, {
        method: 'PATCH',
        body: { enabled: !c.enabled },
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['channels'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<null>(`/api/v1/notifications/channels/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setRemoving(null);
      void qc.invalidateQueries({ queryKey: ['channels'] });
    },
  });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Notifications</h1>
        <div className="actions">
          <Button variant="primary" onClick={() => setEditing('new')}>
            Add channel
          </Button>
        </div>
      </div>
      {editing && (
        <Card title={editing === 'new' ? 'New channel' : `Edit ${editing.name}`}>
          <ChannelForm
            key={editing === 'new' ? 'new' : editing.id}
            channel={editing === 'new' ? null : editing}
            onDone={() => setEditing(null)}
          />
        </Card>
      )}
      <Card title="Channels">
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ErrorView error={list.error} />
        ) : list.data.items.length === 0 ? (
          <Empty>No channel yet: add one to hear about failed deploys, crashes and a full disk.</Empty>
        ) : (
          <ul className="plain">
            {list.data.items.map((c) => (
              <li key={c.id}>
                <div className="actions">
                  <strong>{c.name}</strong> <span className="tag">{c.type}</span>
                  <Badge status={c.enabled ? 'enabled' : 'disabled'} />
                  <span className="muted small">{c.events.length} events</span>
                  <TestButton channel={c} />
                  <Button onClick={() => setEditing(c)}>Edit</Button>
                  <Button
                    busy={toggle.isPending && toggle.variables?.id === c.id}
                    onClick={() => toggle.mutate(c)}
                  >
                    {c.enabled ? 'Disable' : 'Enable'}
                  </Button>
                  <Button variant="danger" onClick={() => setRemoving(c)} aria-label={`Delete ${c.name}`}>
                    Delete
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
        <ErrorView error={toggle.error ?? remove.error} />
      </Card>
      <Card title="Delivery log">
        <p className="muted small">
          Every attempt of every queued message (tests are sent at once and not logged here).
        </p>
        <Deliveries />
      </Card>
      <ConfirmDialog
        open={removing !== null}
        title={`Delete “${removing?.name ?? ''}”?`}
        confirmLabel="Delete channel"
        busy={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing.id)}
      >
        <p>Messages still queued for it are dropped.</p>
      </ConfirmDialog>
    </div>
  );
}
