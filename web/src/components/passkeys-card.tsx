import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { Passkey } from '../api/types.js';
import { formatTime, timeAgo } from '../lib/format.js';
import { ceremonyProblem, registerPasskey, webauthnAvailable } from '../lib/webauthn.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Button, Card, Empty, ErrorView, Loading, TextField } from './ui.js';

/** The local admin's passkeys: add one (a real WebAuthn ceremony), see when each was used, remove one. */
export function PasskeysCard() {
  const qc = useQueryClient();
  const list = useQuery({ ...queries.passkeys(), retry: false });
  const [name, setName] = useState('');
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.passkeys });
    void qc.invalidateQueries({ queryKey: keys.authMethods });
  };
  const add = useMutation({
    mutationFn: () => registerPasskey(name),
    onSuccess: () => {
      setName('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<null>(`/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      setRemoving(null);
      refresh();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const problem = add.error ? ceremonyProblem(add.error) : null;
  return (
    <Card title="Passkeys">
      <p className="muted small">
        A passkey signs you in with this device's screen lock or a security key — no GitHub, no shell on the
        host. It works on this panel's address only.
      </p>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorView error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Empty>No passkeys yet.</Empty>
      ) : (
        <ul className="plain" aria-label="Your passkeys">
          {list.data.items.map((k) => (
            <li key={k.id} className="passkey" data-passkey={k.name}>
              <strong>{k.name}</strong>{' '}
              <span className="muted small">
                added <span title={formatTime(k.createdAt)}>{timeAgo(k.createdAt)}</span> · last used{' '}
                {k.lastUsedAt ? (
                  <span title={formatTime(k.lastUsedAt)}>{timeAgo(k.lastUsedAt)}</span>
                ) : (
                  'never'
                )}
              </span>{' '}
              <Button variant="ghost" onClick={() => setRemoving(k)} aria-label={`Remove passkey ${k.name}`}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      {webauthnAvailable() ? (
        <form className="form inline-form" onSubmit={submit} noValidate>
          <TextField
            label="Name for the new passkey"
            hint="e.g. laptop or phone, so you can tell them apart."
            name="passkeyName"
            value={name}
            onChange={setName}
          />
          <div className="actions">
            <Button type="submit" variant="primary" busy={add.isPending}>
              Add a passkey
            </Button>
          </div>
          {add.error &&
            (problem ? (
              <div className="field-error" role="alert">
                {problem}
              </div>
            ) : (
              <ErrorView error={add.error} />
            ))}
          {add.isSuccess && (
            <span className="ok-text" role="status">
              Passkey “{add.data.name}” added. You can sign in with it now.
            </span>
          )}
        </form>
      ) : (
        <p className="muted">This browser cannot create passkeys (or the page is not on https).</p>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove passkey ${removing?.name ?? ''}?`}
        confirmLabel="Remove passkey"
        busy={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing.id)}
      >
        <p>It can no longer sign you in. The authenticator may still list it; you can delete it there.</p>
        <ErrorView error={remove.error} />
      </ConfirmDialog>
    </Card>
  );
}
