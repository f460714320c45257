import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import type { BackupPolicy } from '../api/types.js';
import { splitErrors } from '../lib/form-errors.js';
import { Button, ErrorView, Field, TextField } from './ui.js';

const FIELDS = [
  'schedule',
  'timezone',
  'verifySchedule',
  'volumes',
  'databases',
  'target.path',
  'target.endpoint',
  'target.bucket',
  'target.prefix',
  'target.region',
  'target.accessKeyId',
  'target.secretAccessKey',
  'target.caCertificate',
  'retention',
] as const;

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The form state: every field as text, as typed. */
function initial(p: BackupPolicy) {
  const s3 = p.target.type === 's3' ? p.target : null;
  return {
    schedule: p.schedule ?? '',
    timezone: p.timezone,
    verifySchedule: p.verifySchedule ?? '',
    beforeDeploy: p.beforeDeploy,
    volumes: p.volumes,
    databases: p.databases.join(', '),
    type: p.target.type,
    path: p.target.type === 'local' ? p.target.path : '',
    endpoint: s3?.endpoint ?? '',
    bucket: s3?.bucket ?? '',
    prefix: s3?.prefix ?? '',
    region: s3?.region ?? 'us-east-1',
    accessKeyId: '',
    secretAccessKey: '',
    caCertificate: s3?.caCertificate ?? '',
    last: String(p.retention.last),
    daily: String(p.retention.daily),
    weekly: String(p.retention.weekly),
  };
}

const keyHint = (v: { set: boolean; hint: string | null } | undefined) =>
  v?.set ? `Stored${v.hint ? ` (${v.hint})` : ''}; leave empty to keep it.` : 'Required.';

/** Edit a project's backup policy (admins save; secrets are write-only). */
export function BackupPolicyForm({
  projectId,
  policy,
  volumeNames,
  onSaved,
}: {
  projectId: string;
  policy: BackupPolicy;
  volumeNames: string[];
  onSaved: () => void;
}) {
  const qc = useQueryClient();
  const [f, setF] = useState(() => initial(policy));
  const set = (patch: Partial<typeof f>) => setF((old) => ({ ...old, ...patch }));
  const save = useMutation({
    mutationFn: () =>
      api<BackupPolicy>(`/api/v1/projects/${projectId}/backup-policy`, {
        method: 'PUT',
        body: {
          schedule: f.schedule.trim() || null,
          timezone: f.timezone.trim() || 'UTC',
          verifySchedule: f.verifySchedule.trim() || null,
          beforeDeploy: f.beforeDeploy,
          volumes: f.volumes,
          databases: list(f.databases),
          target:
            f.type === 'local'
              ? { type: 'local', path: f.path.trim() }
              : {
                  type: 's3',
                  endpoint: f.endpoint.trim(),
                  bucket: f.bucket.trim(),
                  prefix: f.prefix.trim(),
                  region: f.region.trim(),
                  ...(f.accessKeyId ? { accessKeyId: f.accessKeyId } : {}),
                  ...(f.secretAccessKey ? { secretAccessKey: f.secretAccessKey } : {}),
                  caCertificate: f.caCertificate.trim() || null,
                },
          retention: { last: Number(f.last), daily: Number(f.daily), weekly: Number(f.weekly) },
        },
      }),
    onSuccess: (saved) => {
      qc.setQueryData(['backups', projectId, 'policy'], saved);
      onSaved();
    },
  });
  const errors = splitErrors(save.error, FIELDS);
  const s3 = policy.target.type === 's3' ? policy.target : null;
  const allVolumes = [...new Set([...volumeNames, ...f.volumes])];
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label="Volumes" error={errors.fields.volumes}>
        {(p) => (
          <div {...p} className="checks">
            {allVolumes.length === 0 && <span className="muted">This project has no named volumes.</span>}
            {allVolumes.map((v) => (
              <label key={v} className="check-label">
                <input
                  type="checkbox"
                  checked={f.volumes.includes(v)}
                  onChange={(e) =>
                    set({ volumes: e.target.checked ? [...f.volumes, v] : f.volumes.filter((x) => x !== v) })
                  }
                />{' '}
                {v}
              </label>
            ))}
          </div>
        )}
      </Field>
      <TextField
        label="Database services"
        name="databases"
        value={f.databases}
        onChange={(databases) => set({ databases })}
        error={errors.fields.databases}
        hint="Service names, comma-separated: PostgreSQL (pg_dump), MySQL or MariaDB, dumped inside their own container."
      />
      <TextField
        label="Schedule (cron)"
        name="schedule"
        value={f.schedule}
        onChange={(schedule) => set({ schedule })}
        error={errors.fields.schedule}
        hint={`e.g. "30 2 * * *" for 02:30 every day; empty for manual only.${policy.state.nextRunAt ? ` Next: ${policy.state.nextRunAt}` : ''}`}
      />
      <TextField
        label="Time zone"
        name="timezone"
        value={f.timezone}
        onChange={(timezone) => set({ timezone })}
        error={errors.fields.timezone}
        hint="IANA name, e.g. Europe/Berlin."
      />
      <TextField
        label="Restore check (cron)"
        name="verifySchedule"
        value={f.verifySchedule}
        onChange={(verifySchedule) => set({ verifySchedule })}
        error={errors.fields.verifySchedule}
        hint="Restores the latest backup to a scratch volume and compares it; empty to turn off."
      />
      <label className="check-label">
        <input
          type="checkbox"
          checked={f.beforeDeploy}
          onChange={(e) => set({ beforeDeploy: e.target.checked })}
        />{' '}
        Back up before every deploy (a failed backup stops the deploy)
      </label>
      <Field label="Target">
        {(p) => (
          <select {...p} value={f.type} onChange={(e) => set({ type: e.target.value as 'local' | 's3' })}>
            <option value="local">Local folder</option>
            <option value="s3">S3-compatible storage</option>
          </select>
        )}
      </Field>
      {f.type === 'local' ? (
        <TextField
          label="Folder"
          name="path"
          value={f.path}
          onChange={(path) => set({ path })}
          error={errors.fields['target.path']}
          hint="Absolute path on the host; each project gets its own repository inside."
        />
      ) : (
        <>
          <TextField
            label="Endpoint"
            name="endpoint"
            value={f.endpoint}
            onChange={(endpoint) => set({ endpoint })}
            error={errors.fields['target.endpoint']}
            hint="https://s3.eu-central-1.amazonaws.com, or your MinIO."
          />
          <TextField
            label="Bucket"
            name="bucket"
            value={f.bucket}
            onChange={(bucket) => set({ bucket })}
            error={errors.fields['target.bucket']}
          />
          <TextField
            label="Prefix"
            name="prefix"
            value={f.prefix}
            onChange={(prefix) => set({ prefix })}
            error={errors.fields['target.prefix']}
          />
          <TextField
            label="Region"
            name="region"
            value={f.region}
            onChange={(region) => set({ region })}
            error={errors.fields['target.region']}
          />
          <Field
            label="Access key id"
            hint={keyHint(s3?.accessKeyId)}
            error={errors.fields['target.accessKeyId']}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="off"
                value={f.accessKeyId}
                onChange={(e) => set({ accessKeyId: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Secret access key"
            hint={keyHint(s3?.secretAccessKey)}
            error={errors.fields['target.secretAccessKey']}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="off"
                value={f.secretAccessKey}
                onChange={(e) => set({ secretAccessKey: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="CA certificate (PEM, optional)"
            error={errors.fields['target.caCertificate']}
            hint="Only for an endpoint with a private CA."
          >
            {(p) => (
              <textarea
                {...p}
                rows={3}
                value={f.caCertificate}
                onChange={(e) => set({ caCertificate: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
      <Field
        label="Keep"
        error={errors.fields.retention}
        hint="The last N backups, plus the last of each of D days and W weeks."
      >
        {(p) => (
          <div {...p} className="inline-fields">
            <label>
              last{' '}
              <input type="number" min={1} value={f.last} onChange={(e) => set({ last: e.target.value })} />
            </label>
            <label>
              daily{' '}
              <input type="number" min={0} value={f.daily} onChange={(e) => set({ daily: e.target.value })} />
            </label>
            <label>
              weekly{' '}
              <input
                type="number"
                min={0}
                value={f.weekly}
                onChange={(e) => set({ weekly: e.target.value })}
              />
            </label>
          </div>
        )}
      </Field>
      <ErrorView error={null} extra={errors.general} />
      <div className="actions">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save policy
        </Button>
      </div>
    </form>
  );
}
