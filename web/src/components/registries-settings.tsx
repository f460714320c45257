import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { queries } from '../api/queries.js';
import type { JsonOf, Settings } from '../api/types.js';
import { secretLabel } from '../lib/settings-fields.js';
import { Button, ErrorView, Field, TextField } from './ui.js';

type Check = JsonOf<'/api/v1/registries/{host}/check', 'post'>;
type Entry = { host: string; username: string; password?: string | null };

/**
 * Registry credentials (host, user name, write-only password, a Check button) and the registries
 * the loopback/private rule lets through. A save sends the whole list: saved entries go without a
 * password, which keeps theirs.
 */
export function RegistriesSettings({ settings, canEdit }: { settings: Settings; canEdit: boolean }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({ host: '', username: '', password: '' });
  const [allowed, setAllowed] = useState(settings.allowedRegistries.join(', '));
  const [checks, setChecks] = useState<Record<string, Check>>({});
  const saved: Entry[] = settings.registries.map((r) => ({ host: r.host, username: r.username }));

  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) =>
      api<Settings>('/api/v1/settings', { method: 'PATCH', body: patch }),
    onSuccess: (next) => {
      qc.setQueryData(queries.settings().queryKey, next);
      setForm({ host: '', username: '', password: '' });
    },
  });
  const check = useMutation({
    mutationFn: ({ host, body }: { host: string; body?: Entry }) =>
      api<Check>(`/api/v1/registries/${encodeURIComponent(host)}/check`, {
        method: 'POST',
        ...(body
          ? { body: { username: body.username, ...(body.password ? { password: body.password } : {}) } }
          : {}),
      }),
    onSuccess: (result, { host }) => setChecks((c) => ({ ...c, [host]: result })),
  });

  const add = (e: FormEvent) => {
    e.preventDefault();
    const host = form.host.trim().toLowerCase();
    const entry: Entry = {
      host,
      username: form.username.trim(),
      ...(form.password ? { password: form.password } : {}),
    };
    save.mutate({ registries: [...saved.filter((r) => r.host !== host), entry] });
  };
  const remove = (host: string) => save.mutate({ registries: saved.filter((r) => r.host !== host) });
  const saveAllowed = () => save.mutate({ allowedRegistries: allowed.split(/[\s,]+/).filter(Boolean) });
  const formHost = form.host.trim().toLowerCase();

  return (
    <div className="form">
      <ErrorView error={save.error ?? check.error} />
      {settings.registries.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Registry</th>
                <th>User</th>
                <th>Password</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {settings.registries.map((r) => (
                <tr key={r.host}>
                  <td>{r.host}</td>
                  <td>{r.username}</td>
                  <td>{secretLabel(r.password)}</td>
                  <td className="actions">
                    <Button
                      onClick={() => check.mutate({ host: r.host })}
                      busy={check.isPending && check.variables?.host === r.host}
                    >
                      Check
                    </Button>
                    {canEdit && (
                      <Button variant="ghost" onClick={() => remove(r.host)} aria-label={`Remove ${r.host}`}>
                        Remove
                      </Button>
                    )}
                    {checks[r.host] && (
                      <span className={checks[r.host]?.ok ? 'ok-text' : 'field-error'} role="status">
                        {checks[r.host]?.message}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && (
        <form onSubmit={add} className="form" noValidate>
          <div className="grid-2">
            <TextField
              label="Registry host"
              name="registry-host"
              value={form.host}
              spellCheck={false}
              hint="ghcr.io, docker.io, registry.lan:5000"
              onChange={(host) => setForm((f) => ({ ...f, host }))}
            />
            <TextField
              label="User name"
              name="registry-username"
              value={form.username}
              onChange={(username) => setForm((f) => ({ ...f, username }))}
            />
            <Field label="Password or token" hint="Write-only; left empty, a saved one is kept.">
              {(p) => (
                <input
                  {...p}
                  type="password"
                  name="registry-password"
                  autoComplete="new-password"
                  value={form.password}
                  placeholder={saved.some((r) => r.host === formHost) ? 'unchanged' : ''}
                  onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))}
                />
              )}
            </Field>
          </div>
          <div className="actions">
            <Button
              disabled={!formHost || !form.username}
              busy={check.isPending && check.variables?.host === formHost}
              onClick={() =>
                check.mutate({
                  host: formHost,
                  body: { host: formHost, username: form.username, password: form.password },
                })
              }
            >
              Check
            </Button>
            <Button
              type="submit"
              variant="primary"
              busy={save.isPending}
              disabled={!formHost || !form.username}
            >
              Save credentials
            </Button>
            {formHost && checks[formHost] && (
              <span className={checks[formHost]?.ok ? 'ok-text' : 'field-error'} role="status">
                {checks[formHost]?.message}
              </span>
            )}
          </div>
        </form>
      )}
      <TextField
        label="Allowed loopback / private registries"
        name="allowedRegistries"
        value={allowed}
        spellCheck={false}
        hint="Images from localhost, 127.x, 10.x, 172.16–31.x, 192.168.x, link-local and single-label hosts are refused unless their host is listed here (a host without a port allows every port)."
        onChange={setAllowed}
      />
      {canEdit && (
        <div className="actions">
          <Button onClick={saveAllowed} busy={save.isPending}>
            Save allowed registries
          </Button>
        </div>
      )}
    </div>
  );
}
