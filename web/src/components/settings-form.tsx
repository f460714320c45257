import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api/client.js';
import { queries } from '../api/queries.js';
import type { SecretView, Settings } from '../api/types.js';
import { splitErrors } from '../lib/form-errors.js';
import {
  buildPatch,
  getPath,
  initialValue,
  SETTING_LABELS,
  type SettingField,
  secretLabel,
} from '../lib/settings-fields.js';
import { Button, ErrorView, Field } from './ui.js';

/**
 * One settings section as a form: saves its fields with PATCH /api/v1/settings and shows each validation
 * problem next to its field. Secrets are write-only: the form shows "set ••••9f2c" and an empty input.
 */
export function SettingsForm({
  settings,
  fields,
  canEdit,
  submitLabel = 'Save',
  submitVariant = 'primary',
  onSaved,
  extraActions,
}: {
  settings: Settings;
  fields: SettingField[];
  canEdit: boolean;
  submitLabel?: string;
  /** The save button's weight (a step whose next move is "Continue" makes saving secondary). */
  submitVariant?: 'primary' | 'default';
  onSaved?: (s: Settings) => void;
  extraActions?: ReactNode;
}) {
  const qc = useQueryClient();
  const [values, setValues] = useState(() =>
    Object.fromEntries(fields.map((f) => [f.path, initialValue(settings, f)])),
  );
  const [cleared, setCleared] = useState<Set<string>>(new Set());
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) =>
      api<Settings>('/api/v1/settings', { method: 'PATCH', body: patch }),
    onSuccess: (next) => {
      qc.setQueryData(queries.settings().queryKey, next);
      setCleared(new Set());
      setValues((v) => ({
        ...v,
        ...Object.fromEntries(fields.filter((f) => f.kind.startsWith('secret')).map((f) => [f.path, ''])),
      }));
      setSaved(true);
      onSaved?.(next);
    },
  });
  const errors = splitErrors(
    save.error,
    fields.map((f) => f.path),
    SETTING_LABELS,
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate(buildPatch(fields, values, cleared));
  };
  const set = (path: string, v: string) => {
    setSaved(false);
    setValues((old) => ({ ...old, [path]: v }));
  };

  return (
    <form onSubmit={submit} className="form" noValidate>
      {errors.general.length > 0 && (
        <ErrorView
          error={save.error}
          labels={SETTING_LABELS}
          extra={
            errors.fields && Object.keys(errors.fields).length + errors.general.length > 1
              ? errors.general
              : undefined
          }
        />
      )}
      <div className="grid-2">
        {fields.map((f) => {
          const secret = f.kind.startsWith('secret')
            ? (getPath(settings, f.path) as SecretView | undefined)
            : undefined;
          return (
            <Field
              key={f.path}
              label={f.label}
              hint={
                secret ? (
                  <span data-testid={`secret-${f.path}`}>
                    {cleared.has(f.path) ? 'will be cleared' : secretLabel(secret)}
                  </span>
                ) : (
                  f.hint
                )
              }
              error={errors.fields[f.path]}
            >
              {(p) =>
                f.kind === 'select' ? (
                  <select
                    {...p}
                    name={f.path}
                    value={values[f.path]}
                    disabled={!canEdit}
                    onChange={(e) => set(f.path, e.target.value)}
                  >
                    {f.options?.map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </select>
                ) : f.kind === 'secret-multiline' ? (
                  <textarea
                    {...p}
                    name={f.path}
                    rows={3}
                    value={values[f.path]}
                    disabled={!canEdit}
                    placeholder={secret?.set ? 'unchanged' : ''}
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(e) => set(f.path, e.target.value)}
                  />
                ) : (
                  <div className="input-row">
                    <input
                      {...p}
                      name={f.path}
                      type={f.kind === 'secret' ? 'password' : f.kind === 'number' ? 'number' : 'text'}
                      inputMode={f.kind === 'number' ? 'numeric' : undefined}
                      autoComplete={f.kind === 'secret' ? 'new-password' : 'off'}
                      placeholder={secret?.set ? 'unchanged' : f.placeholder}
                      value={values[f.path]}
                      disabled={!canEdit}
                      onChange={(e) => set(f.path, e.target.value)}
                    />
                    {secret?.set && canEdit && (
                      <Button
                        variant="ghost"
                        onClick={() => setCleared((c) => new Set(c).add(f.path))}
                        aria-label={`Clear ${f.label}`}
                      >
                        Clear
                      </Button>
                    )}
                  </div>
                )
              }
            </Field>
          );
        })}
      </div>
      <div className="actions">
        {extraActions}
        {canEdit && (
          <Button type="submit" variant={submitVariant} busy={save.isPending}>
            {submitLabel}
          </Button>
        )}
        {saved && (
          <span className="ok-text" role="status">
            Saved
          </span>
        )}
        {!canEdit && <span className="muted">Only admins can change settings.</span>}
      </div>
    </form>
  );
}
