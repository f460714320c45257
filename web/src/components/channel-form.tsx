import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import type { Channel, SecretView } from '../api/types.js';
import {
  buildConfig,
  CHANNEL_FIELDS,
  type ChannelField,
  EVENT_LABELS,
  initialValues,
} from '../lib/channel-fields.js';
import { splitErrors } from '../lib/form-errors.js';
import { secretLabel } from '../lib/settings-fields.js';
import { Button, ErrorView, Field } from './ui.js';

const TYPES: [string, string][] = [
  ['webhook', 'Webhook (JSON)'],
  ['slack', 'Slack-compatible'],
  ['discord', 'Discord'],
  ['ntfy', 'ntfy'],
  ['email', 'E-mail (SMTP)'],
];

/** Create a channel, or edit one (its type stays); secrets are write-only. */
export function ChannelForm({ channel, onDone }: { channel: Channel | null; onDone: () => void }) {
  const qc = useQueryClient();
  const [type, setType] = useState(channel?.type ?? 'webhook');
  const [name, setName] = useState(channel?.name ?? '');
  const [values, setValues] = useState(() => initialValues(type, channel));
  const [cleared, setCleared] = useState<Set<string>>(new Set());
  const [events, setEvents] = useState<Set<string>>(new Set(channel?.events ?? EVENT_LABELS.map(([e]) => e)));
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const fields = CHANNEL_FIELDS[type] ?? [];
  const save = useMutation({
    mutationFn: () => {
      const config = buildConfig(type, values, { editing: channel !== null, cleared });
      const body = { name: name.trim(), config, events: [...events], enabled };
      return channel
        ? api<Channel>(`/api/v1/notifications/channels/${channel.id}`, { method: 'PATCH', body })
        : api<Channel>('/api/v1/notifications/channels', { method: 'POST', body: { ...body, type } });
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['channels'] });
      onDone();
    },
  });
  const errors = splitErrors(save.error, ['name', ...fields.map((f) => `config.${f.key}`), 'events']);
  const set = (key: string, v: string) => setValues((old) => ({ ...old, [key]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  const input = (f: ChannelField) => {
    const error = errors.fields[`config.${f.key}`];
    if (f.kind === 'check') {
      return (
        <label key={f.key} className="check-label">
          <input
            type="checkbox"
            checked={values[f.key] !== 'false'}
            onChange={(e) => set(f.key, e.target.checked ? 'true' : 'false')}
          />{' '}
          {f.label}
        </label>
      );
    }
    const secret = f.kind === 'secret' ? (channel?.config[f.key] as SecretView | undefined) : undefined;
    const hint = secret ? (
      <>
        {f.hint} <span data-testid={`secret-${f.key}`}>{secretLabel(secret)}</span>
        {secret.set && f.optional && (
          <label className="check-label">
            <input
              type="checkbox"
              checked={cleared.has(f.key)}
              onChange={(e) =>
                setCleared((c) => {
                  const next = new Set(c);
                  if (e.target.checked) next.add(f.key);
                  else next.delete(f.key);
                  return next;
                })
              }
            />{' '}
            Clear
          </label>
        )}
      </>
    ) : (
      f.hint
    );
    return (
      <Field key={f.key} label={f.label} hint={hint} error={error}>
        {(p) =>
          f.kind === 'select' ? (
            <select {...p} value={values[f.key] ?? ''} onChange={(e) => set(f.key, e.target.value)}>
              {f.options?.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : (
            <input
              {...p}
              name={f.key}
              type={f.kind === 'secret' ? 'password' : 'text'}
              inputMode={f.kind === 'number' ? 'numeric' : undefined}
              autoComplete={f.kind === 'secret' ? 'new-password' : 'off'}
              placeholder={secret?.set ? 'unchanged' : f.placeholder}
              value={values[f.key] ?? ''}
              onChange={(e) => set(f.key, e.target.value)}
            />
          )
        }
      </Field>
    );
  };

  return (
    <form
      className="form"
      onSubmit={submit}
      noValidate
      aria-label={channel ? `Edit ${channel.name}` : 'New channel'}
    >
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
        <Field label="Type">
          {(p) => (
            <select
              {...p}
              value={type}
              disabled={channel !== null}
              onChange={(e) => {
                const next = e.target.value as typeof type;
                setType(next);
                setValues(initialValues(next, null));
              }}
            >
              {TYPES.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {fields.map(input)}
      </div>
      <fieldset>
        <legend>Events</legend>
        <div className="channel-events">
          {EVENT_LABELS.map(([event, label]) => (
            <label key={event} className="check-label">
              <input
                type="checkbox"
                checked={events.has(event)}
                onChange={(e) =>
                  setEvents((old) => {
                    const next = new Set(old);
                    if (e.target.checked) next.add(event);
                    else next.delete(event);
                    return next;
                  })
                }
              />{' '}
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="check-label">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      {errors.general.length > 0 && <ErrorView error={save.error} extra={errors.general} />}
      <div className="actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {channel ? 'Save channel' : 'Add channel'}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
