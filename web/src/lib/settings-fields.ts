import type { SecretView, Settings } from '../api/types.js';
import { namePaths } from './form-errors.js';

/** How a settings field is edited and sent. */
export type FieldKind = 'text' | 'nullable' | 'number' | 'select' | 'list' | 'secret' | 'secret-multiline';

/** One editable setting, addressed by its dotted path in the settings object. */
export interface SettingField {
  path: string;
  label: string;
  kind: FieldKind;
  options?: string[];
  hint?: string;
  placeholder?: string;
}

/** Read a dotted path from an object. */
export function getPath(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

/** Set a dotted path in a nested object, creating parents. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    o[k] = (o[k] as Record<string, unknown> | undefined) ?? {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1] as string] = value;
}

/** The form's text value for a field (secrets start empty: they are write-only). */
export function initialValue(settings: Settings, field: SettingField): string {
  if (field.kind === 'secret' || field.kind === 'secret-multiline') return '';
  const v = getPath(settings, field.path);
  if (Array.isArray(v)) return v.join(', ');
  return v === null || v === undefined ? '' : String(v);
}

/** "set ••••9f2c" / "set" / "not set" for a secret's view. */
export function secretLabel(view: SecretView | undefined): string {
  if (!view?.set) return 'not set';
  const last4 = view.hint?.replace(/^…/, '');
  return last4 ? `set ••••${last4}` : 'set';
}

/**
 * Build the PATCH body for the given fields from form text values. Empty secrets are left out (unchanged);
 * `cleared` secrets are sent as null; empty nullable text is sent as null.
 */
export function buildPatch(
  fields: readonly SettingField[],
  values: Record<string, string>,
  cleared: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = values[f.path] ?? '';
    const text = f.kind === 'secret-multiline' ? raw : raw.trim();
    switch (f.kind) {
      case 'secret':
      case 'secret-multiline':
        if (cleared.has(f.path)) setPath(patch, f.path, null);
        else if (text !== '' && raw.trim() !== '') setPath(patch, f.path, text);
        break;
      case 'number':
        setPath(patch, f.path, text === '' ? null : Number(text));
        break;
      case 'list':
        setPath(patch, f.path, text.split(/[\s,]+/).filter(Boolean));
        break;
      case 'nullable':
        setPath(patch, f.path, text === '' ? null : text);
        break;
      default:
        setPath(patch, f.path, text);
    }
  }
  return patch;
}

/** Settings sections, in the order the settings page and onboarding show them. */
export const SECTIONS: Record<string, { title: string; fields: SettingField[] }> = {
  domain: {
    title: 'Base domain and host',
    fields: [
      {
        path: 'baseDomain',
        label: 'Base domain',
        kind: 'nullable',
        placeholder: 'example.com',
        hint: 'Apps are published at <subdomain>.<base domain>.',
      },
      {
        path: 'reposRoot',
        label: 'Repos root',
        kind: 'text',
        hint: 'Absolute path where repos are cloned and compose projects are found.',
      },
      { path: 'ports.start', label: 'First host port', kind: 'number' },
      { path: 'ports.end', label: 'Last host port', kind: 'number' },
      {
        path: 'ports.bindAddress',
        label: 'Bind published ports to',
        kind: 'select',
        options: ['127.0.0.1', '0.0.0.0'],
        hint: '127.0.0.1 keeps apps reachable only through the tunnel.',
      },
    ],
  },
  tunnel: {
    title: 'Cloudflare Tunnel',
    fields: [
      {
        path: 'tunnel.mode',
        label: 'Mode',
        kind: 'select',
        options: ['local', 'remote'],
        hint: 'local edits config.yml and restarts cloudflared; remote uses the Cloudflare API.',
      },
      { path: 'tunnel.name', label: 'Tunnel name', kind: 'nullable' },
      { path: 'tunnel.id', label: 'Tunnel id', kind: 'nullable', hint: 'Needed in remote mode.' },
      { path: 'tunnel.accountId', label: 'Account id', kind: 'nullable' },
      { path: 'tunnel.configPath', label: 'config.yml path', kind: 'text' },
      { path: 'tunnel.dnsMode', label: 'DNS routes via', kind: 'select', options: ['cli', 'api'] },
      {
        path: 'tunnel.restart.mode',
        label: 'Restart with',
        kind: 'select',
        options: ['systemd', 'docker', 'swarm', 'none'],
        hint: 'swarm runs cloudflared as a Swarm service and rolls it to each new config.',
      },
      {
        path: 'tunnel.restart.target',
        label: 'Restart target (unit, container or Swarm service)',
        kind: 'nullable',
        hint: 'Replicas of the tunnel (restarted one at a time, no dropped requests) are set with tunnel.restart.replicas through the API or WARP_TUNNEL_RESTART; see README → Releases without downtime.',
      },
    ],
  },
  releases: {
    title: 'Releases',
    fields: [
      { path: 'releases.keep', label: 'Releases kept per project (with their images)', kind: 'number' },
      {
        path: 'releases.drainSeconds',
        label: 'Drain time of a replaced release (seconds)',
        kind: 'number',
        hint: 'After the route switched, the old release keeps running this long for requests in flight.',
      },
    ],
  },
  swarm: {
    title: 'Swarm',
    fields: [
      {
        path: 'swarm.network',
        label: 'Overlay network',
        kind: 'text',
        hint: 'cloudflared and every published Swarm service share it.',
      },
      {
        path: 'swarm.endpointMode',
        label: 'Endpoint mode',
        kind: 'select',
        options: ['vip', 'dnsrr'],
        hint: 'dnsrr where the nodes’ kernels have no IPVS (virtual IPs do not answer there).',
      },
      { path: 'swarm.cloudflaredImage', label: 'cloudflared image', kind: 'text' },
      { path: 'swarm.cloudflaredReplicas', label: 'cloudflared replicas', kind: 'number' },
      { path: 'swarm.updateDelaySeconds', label: 'Seconds between updated tasks', kind: 'number' },
      { path: 'swarm.updateMonitorSeconds', label: 'Seconds each new task is watched', kind: 'number' },
    ],
  },
  github: {
    title: 'GitHub App and OAuth',
    fields: [
      { path: 'github.apiUrl', label: 'API URL', kind: 'text' },
      { path: 'github.webUrl', label: 'Web URL', kind: 'text' },
      { path: 'github.oauthClientId', label: 'OAuth client id', kind: 'nullable' },
      { path: 'github.oauthClientSecret', label: 'OAuth client secret', kind: 'secret' },
      { path: 'github.appId', label: 'App id', kind: 'nullable' },
      { path: 'github.installationId', label: 'Installation id', kind: 'nullable' },
      { path: 'github.appPrivateKey', label: 'App private key (PEM)', kind: 'secret-multiline' },
      {
        path: 'github.webhookSecret',
        label: 'Webhook secret',
        kind: 'secret',
        hint: "The GitHub App's webhook secret: every delivery to <public URL>/hooks/github must be signed with it.",
      },
      { path: 'github.token', label: 'Personal access token (optional)', kind: 'secret' },
    ],
  },
  cloudflare: {
    title: 'Cloudflare API',
    fields: [
      { path: 'cloudflare.apiToken', label: 'API token', kind: 'secret' },
      { path: 'cloudflare.zoneId', label: 'Zone id', kind: 'nullable' },
    ],
  },
  access: {
    title: 'Access',
    fields: [
      {
        path: 'access.allowedUsers',
        label: 'Allowed GitHub users',
        kind: 'list',
        hint: 'Comma- or space-separated logins.',
      },
      { path: 'access.allowedOrgs', label: 'Allowed GitHub organisations', kind: 'list' },
      { path: 'access.adminUsers', label: 'Admin users', kind: 'list' },
      { path: 'templates.allowlist', label: 'Template allowlist', kind: 'list', hint: 'owner/repo entries.' },
    ],
  },
  metrics: {
    title: 'Metrics and alerts',
    fields: [
      {
        path: 'metrics.intervalSeconds',
        label: 'Sampling interval (seconds)',
        kind: 'number',
        hint: 'How often the host and every managed container are measured (1-3600).',
      },
      {
        path: 'metrics.diskThresholdPercent',
        label: 'Disk alert threshold (%)',
        kind: 'number',
        hint: 'Notifies "disk.high" when the data dir or Docker root disk is fuller than this.',
      },
    ],
  },
};

/** Every setting's label by its path, so errors name settings as the page does (never `tunnel.id`). */
export const SETTING_LABELS: Record<string, string> = Object.fromEntries(
  Object.values(SECTIONS).flatMap((section) => section.fields.map((f) => [f.path, f.label])),
);

/** A message with any internal setting path (`tunnel.name`) replaced by the setting's label. */
export const nameSettings = (text: string): string => namePaths(text, SETTING_LABELS);
