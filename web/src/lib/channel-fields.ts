import type { Channel } from '../api/types.js';

/** A channel type's form field. */
export interface ChannelField {
  key: string;
  label: string;
  kind: 'text' | 'secret' | 'number' | 'list' | 'select' | 'check';
  options?: string[];
  hint?: string;
  placeholder?: string;
  /** Empty text is sent as null (an optional setting) instead of an empty string. */
  optional?: boolean;
}

/** The channel types and their fields, in the order the form shows them. */
export const CHANNEL_FIELDS: Record<string, ChannelField[]> = {
  webhook: [
    { key: 'url', label: 'URL', kind: 'text', placeholder: 'https://hooks.example.com/warp' },
    {
      key: 'secret',
      label: 'Signing secret',
      kind: 'secret',
      optional: true,
      hint: 'When set, each POST carries X-Warp-Signature: sha256=<HMAC of the body>.',
    },
  ],
  slack: [
    {
      key: 'url',
      label: 'Incoming webhook URL',
      kind: 'secret',
      hint: 'Slack, Mattermost or any service that takes {"text"}. The URL is a secret.',
    },
  ],
  discord: [{ key: 'url', label: 'Webhook URL', kind: 'secret', hint: 'The URL is a secret.' }],
  ntfy: [
    { key: 'serverUrl', label: 'Server URL', kind: 'text', placeholder: 'https://ntfy.sh' },
    { key: 'topic', label: 'Topic', kind: 'text' },
    { key: 'token', label: 'Access token', kind: 'secret', optional: true },
    {
      key: 'priority',
      label: 'Priority (1-5)',
      kind: 'number',
      optional: true,
      hint: 'Empty: 4 for failures, 3 otherwise.',
    },
  ],
  email: [
    { key: 'host', label: 'SMTP host', kind: 'text' },
    { key: 'port', label: 'Port', kind: 'number', placeholder: '587' },
    { key: 'security', label: 'Security', kind: 'select', options: ['starttls', 'tls', 'none'] },
    { key: 'username', label: 'User name', kind: 'text', optional: true },
    { key: 'password', label: 'Password', kind: 'secret', optional: true },
    { key: 'from', label: 'From', kind: 'text', placeholder: 'panel@example.com' },
    { key: 'to', label: 'To', kind: 'list', hint: 'Comma-separated addresses.' },
    { key: 'verifyCertificate', label: 'Verify the server certificate', kind: 'check' },
  ],
};

/** Every event, with the words the form shows. */
export const EVENT_LABELS: [string, string][] = [
  ['deploy.failed', 'Deploy failed'],
  ['deploy.succeeded', 'Deploy succeeded'],
  ['container.exited', 'Container exited unexpectedly'],
  ['container.unhealthy', 'Container unhealthy'],
  ['container.restarting', 'Container restart-looping'],
  ['tunnel.down', 'Tunnel down'],
  ['disk.high', 'Disk almost full'],
  ['cpu.high', 'CPU over a project threshold'],
  ['memory.high', 'Memory over a project threshold'],
  ['backup.failed', 'Backup failed'],
  ['webhook.rejected', 'Push ignored / webhook rejected'],
];

/** The form's text values for a channel (secrets start empty: they are write-only). */
export function initialValues(type: string, channel: Channel | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of CHANNEL_FIELDS[type] ?? []) {
    const v = channel?.config[f.key];
    if (f.kind === 'secret') out[f.key] = '';
    else if (f.kind === 'check') out[f.key] = v === false ? 'false' : 'true';
    else if (Array.isArray(v)) out[f.key] = v.join(', ');
    else if (f.key === 'security' && v === undefined) out[f.key] = 'starttls';
    else out[f.key] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/**
 * The `config` to send. Creating: every filled field. Editing: every non-secret field, and a
 * secret only when typed (or null when `cleared`), so an unchanged secret stays as it is.
 */
export function buildConfig(
  type: string,
  values: Record<string, string>,
  opts: { editing: boolean; cleared?: ReadonlySet<string> },
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of CHANNEL_FIELDS[type] ?? []) {
    const text = (values[f.key] ?? '').trim();
    if (f.kind === 'secret') {
      if (opts.cleared?.has(f.key)) config[f.key] = null;
      else if (text !== '') config[f.key] = text;
      continue;
    }
    if (text === '' && f.kind !== 'check') {
      if (opts.editing && f.optional) config[f.key] = null;
      continue;
    }
    if (f.kind === 'number') config[f.key] = Number(text);
    else if (f.kind === 'list') config[f.key] = text.split(/[\s,]+/).filter(Boolean);
    else if (f.kind === 'check') config[f.key] = text !== 'false';
    else config[f.key] = text;
  }
  return config;
}
