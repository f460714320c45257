import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import { splitErrors } from '../lib/form-errors.js';
import { Button, Card, ErrorView, Field } from './ui.js';

const LABELS = { password: 'New password', currentPassword: 'Current password' };

/** A password input wired to a Field. */
function PasswordInput(props: {
  label: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  autoComplete: string;
  hint?: string;
}) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {(p) => (
        <input
          {...p}
          name={props.name}
          type="password"
          autoComplete={props.autoComplete}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** Set, change or remove the local admin's password (`PUT` / `DELETE /auth/password`). */
export function PasswordCard() {
  const qc = useQueryClient();
  const methods = useQuery(queries.authMethods());
  const isSet = methods.data?.password ?? false;
  const [f, setF] = useState({ current: '', next: '', again: '' });
  const [mismatch, setMismatch] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const done = (message: string) => {
    setF({ current: '', next: '', again: '' });
    setSaved(message);
    void qc.invalidateQueries({ queryKey: keys.authMethods });
  };
  const save = useMutation({
    mutationFn: () =>
      api<null>('/auth/password', {
        method: 'PUT',
        body: { password: f.next, ...(isSet ? { currentPassword: f.current } : {}) },
      }),
    onSuccess: () => done(isSet ? 'Password changed.' : 'Password set. You can sign in with it now.'),
  });
  const clear = useMutation({
    mutationFn: () => api<null>('/auth/password', { method: 'DELETE' }),
    onSuccess: () => done('Password removed.'),
  });
  const errors = splitErrors(save.error, ['password', 'currentPassword'], LABELS);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const differ = f.next !== f.again;
    setMismatch(differ);
    if (!differ && f.next) save.mutate();
  };
  return (
    <Card title="Password">
      <p className="muted small">
        {isSet
          ? 'A password is set: you can sign in with it on the sign-in page.'
          : 'No password yet. Set one to sign in without GitHub or a login token.'}
      </p>
      <form
        className="form"
        onSubmit={submit}
        noValidate
        aria-label={isSet ? 'Change password' : 'Set a password'}
      >
        <input type="text" name="username" autoComplete="username" value="admin" readOnly hidden />
        <div className="grid-2">
          {isSet && (
            <PasswordInput
              label="Current password"
              name="currentPassword"
              autoComplete="current-password"
              value={f.current}
              error={errors.fields.currentPassword}
              onChange={(v) => setF({ ...f, current: v })}
            />
          )}
          <PasswordInput
            label="New password"
            name="password"
            autoComplete="new-password"
            hint="A long passphrase is best."
            value={f.next}
            error={errors.fields.password}
            onChange={(v) => setF({ ...f, next: v })}
          />
          <PasswordInput
            label="Repeat the new password"
            name="again"
            autoComplete="new-password"
            value={f.again}
            error={mismatch ? 'is not the same as the new password' : undefined}
            onChange={(v) => setF({ ...f, again: v })}
          />
        </div>
        {errors.general.length > 0 && <ErrorView error={save.error} extra={errors.general} />}
        <ErrorView error={clear.error} />
        <div className="actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {isSet ? 'Change password' : 'Set password'}
          </Button>
          {isSet && (
            <Button variant="danger" busy={clear.isPending} onClick={() => clear.mutate()}>
              Remove password
            </Button>
          )}
          {saved && (
            <span className="ok-text" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
    </Card>
  );
}
