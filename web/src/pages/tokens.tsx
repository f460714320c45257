import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { ApiToken, CreatedToken } from '../api/types.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Button, Card, Empty, ErrorView, Field, Loading } from '../components/ui.js';
import { splitErrors } from '../lib/form-errors.js';
import { formatTime, timeAgo } from '../lib/format.js';
import { useTitle } from '../lib/use-title.js';

/** API tokens (admin): create (the token is shown once), list, revoke. */
export default function Tokens() {
  useTitle('API tokens');
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const list = useQuery(queries.tokens());
  const create = useMutation({
    mutationFn: () =>
      api<CreatedToken>('/api/v1/tokens', {
        method: 'POST',
        body: { name: name.trim(), expiresInDays: days === '' ? null : Number(days) },
      }),
    onSuccess: (c) => {
      setCreated(c);
      setCopied(false);
      setName('');
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<null>(`/api/v1/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const errors = splitErrors(create.error, ['name', 'expiresInDays']);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    create.mutate();
  };
  return (
    <div className="page">
      <h1>API tokens</h1>
      <Card title="Create a token">
        <form className="form" onSubmit={submit} noValidate>
          <div className="grid-2">
            <Field label="Name" error={errors.fields.name}>
              {(p) => (
                <input
                  {...p}
                  name="name"
                  value={name}
                  autoComplete="off"
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            <Field label="Expires in days" hint="Empty for no expiry." error={errors.fields.expiresInDays}>
              {(p) => (
                <input
                  {...p}
                  name="expiresInDays"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={3650}
                  value={days}
                  onChange={(e) => setDays(e.target.value)}
                />
              )}
            </Field>
          </div>
          {errors.general.length > 0 && <ErrorView error={create.error} />}
          <div className="actions">
            <Button type="submit" variant="primary" busy={create.isPending}>
              Create token
            </Button>
          </div>
        </form>
        {created && (
          <div className="alert alert-ok" role="status">
            <strong>Token “{created.name}” created.</strong> Copy it now: it is shown only once.
            <div className="input-row">
              <input
                readOnly
                aria-label="New API token"
                value={created.token}
                data-testid="new-token"
                onFocus={(e) => e.currentTarget.select()}
              />
              <Button
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(created.token);
                    setCopied(true);
                  } catch {
                    setCopied(false);
                  }
                }}
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
              <Button variant="ghost" onClick={() => setCreated(null)}>
                Done
              </Button>
            </div>
          </div>
        )}
      </Card>
      <Card title="Tokens">
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ErrorView error={list.error} />
        ) : list.data.items.length === 0 ? (
          <Empty>No tokens.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Token</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>
                      <code>wp_••••{t.hint.replace(/^…/, '')}</code>
                    </td>
                    <td title={formatTime(t.createdAt)}>{timeAgo(t.createdAt)}</td>
                    <td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</td>
                    <td>{timeAgo(t.lastUsedAt)}</td>
                    <td>
                      <Button variant="danger" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorView error={revoke.error} />
      </Card>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke"
        busy={revoke.isPending}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        <p>Scripts using this token stop working at once.</p>
      </ConfirmDialog>
    </div>
  );
}
