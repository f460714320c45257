import fs from 'node:fs';
import type { Config } from '../../config/config.schema.js';
import { validationError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/request-context.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { hintOf } from '../../lib/tokens.js';
import type { SettingsRepository } from '../../repositories/settings.repository.js';
import type { AuditService } from '../audit/index.js';
import {
  mergeRegistries,
  openRegistries,
  type RegistryCredential,
  registriesView,
  sealRegistries,
} from './registries-setting.js';
import { SECRET_KEYS, type SettingsPatch, type SettingsView } from './settings.schema.js';

type SecretKey = (typeof SECRET_KEYS)[number];
type Secrets = Record<SecretKey, string | null>;

/** Effective settings for internal use: the view's shape with secrets in plain text. */
export type Settings = Omit<SettingsView, 'github' | 'cloudflare' | 'registries'> & {
  github: Omit<SettingsView['github'], 'oauthClientSecret' | 'appPrivateKey' | 'token' | 'webhookSecret'> & {
    oauthClientSecret: string | null;
    appPrivateKey: string | null;
    token: string | null;
    webhookSecret: string | null;
  };
  cloudflare: { apiToken: string | null; zoneId: string | null };
  registries: RegistryCredential[];
};

const isSecret = (key: string): key is SecretKey => (SECRET_KEYS as readonly string[]).includes(key);

function readKeyFile(file: string | null): string | null {
  if (!file) return null;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Defaults from the environment: the first values, overridden by anything saved in the database. */
export function defaultsFromConfig(config: Config): Record<string, unknown> {
  return {
    baseDomain: config.baseDomain,
    reposRoot: config.reposRoot,
    ports: { start: config.portRange.start, end: config.portRange.end, bindAddress: '127.0.0.1' },
    'tunnel.mode': 'local',
    'tunnel.name': config.tunnelName,
    'tunnel.id': null,
    'tunnel.accountId': null,
    'tunnel.configPath': config.cloudflaredConfig,
    'tunnel.dnsMode': 'cli',
    'tunnel.restart': config.tunnelRestart,
    'github.apiUrl': config.github.apiUrl,
    'github.webUrl': config.github.webUrl,
    'github.oauthClientId': config.github.clientId,
    'github.oauthClientSecret': config.github.clientSecret,
    'github.appId': config.github.appId,
    'github.installationId': config.github.installationId,
    'github.appPrivateKey': readKeyFile(config.github.appPrivateKeyFile),
    'github.token': null,
    'github.webhookSecret': null,
    'cloudflare.apiToken': config.cloudflare.apiToken,
    'cloudflare.zoneId': null,
    'access.allowedUsers': config.access.allowedUsers,
    'access.allowedOrgs': config.access.allowedOrgs,
    'access.adminUsers': config.access.adminUsers,
    'templates.allowlist': config.templateAllowlist,
    'forwards.allowedPorts': [],
    'api.publicDocs': false,
    allowedRegistries: [],
    'backups.helperImage': config.backups.helperImage,
    registries: [],
    'auth.sessionMaxHours': config.sessionMaxHours,
    'metrics.intervalSeconds': config.metricsIntervalSeconds,
    'metrics.diskThresholdPercent': 90,
    'releases.keep': 5,
    'releases.drainSeconds': 10,
    'swarm.network': 'warp-public',
    'swarm.endpointMode': 'vip',
    'swarm.cloudflaredImage': 'cloudflare/cloudflared:2026.8.2',
    'swarm.cloudflaredReplicas': 2,
    'swarm.updateDelaySeconds': 5,
    'swarm.updateMonitorSeconds': 5,
  };
}

/** Flatten a patch into dotted storage keys (`ports` is stored whole, merged with the current value). */
function flatten(patch: SettingsPatch, current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [group, value] of Object.entries(patch)) {
    if (group === 'ports') {
      out.ports = { ...(current.ports as object), ...(value as object) };
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [leaf, leafValue] of Object.entries(value)) out[`${group}.${leaf}`] = leafValue;
    } else {
      out[group] = value;
    }
  }
  return out;
}

function build(values: Record<string, unknown>): Settings {
  const v = (key: string) => values[key] as never;
  return {
    baseDomain: v('baseDomain'),
    reposRoot: v('reposRoot'),
    ports: v('ports'),
    tunnel: {
      mode: v('tunnel.mode'),
      name: v('tunnel.name'),
      id: v('tunnel.id'),
      accountId: v('tunnel.accountId'),
      configPath: v('tunnel.configPath'),
      dnsMode: v('tunnel.dnsMode'),
      restart: withReplicas(v('tunnel.restart')),
    },
    github: {
      apiUrl: v('github.apiUrl'),
      webUrl: v('github.webUrl'),
      oauthClientId: v('github.oauthClientId'),
      oauthClientSecret: v('github.oauthClientSecret'),
      appId: v('github.appId'),
      installationId: v('github.installationId'),
      appPrivateKey: v('github.appPrivateKey'),
      token: v('github.token'),
      webhookSecret: v('github.webhookSecret'),
    },
    cloudflare: { apiToken: v('cloudflare.apiToken'), zoneId: v('cloudflare.zoneId') },
    access: {
      allowedUsers: v('access.allowedUsers'),
      allowedOrgs: v('access.allowedOrgs'),
      adminUsers: v('access.adminUsers'),
    },
    templates: { allowlist: v('templates.allowlist') },
    forwards: { allowedPorts: v('forwards.allowedPorts') },
    api: { publicDocs: v('api.publicDocs') },
    allowedRegistries: v('allowedRegistries'),
    backups: { helperImage: v('backups.helperImage') },
    registries: v('registries'),
    auth: { sessionMaxHours: v('auth.sessionMaxHours') },
    metrics: {
      intervalSeconds: v('metrics.intervalSeconds'),
      diskThresholdPercent: v('metrics.diskThresholdPercent'),
    },
    releases: { keep: v('releases.keep'), drainSeconds: v('releases.drainSeconds') },
    swarm: {
      network: v('swarm.network'),
      endpointMode: v('swarm.endpointMode'),
      cloudflaredImage: v('swarm.cloudflaredImage'),
      cloudflaredReplicas: v('swarm.cloudflaredReplicas'),
      updateDelaySeconds: v('swarm.updateDelaySeconds'),
      updateMonitorSeconds: v('swarm.updateMonitorSeconds'),
    },
  };
}

/** A stored restart setting in the current shape: values saved before replicas existed have none. */
function withReplicas(r: {
  mode: Settings['tunnel']['restart']['mode'];
  target: string | null;
  replicas?: unknown;
}) {
  const replicas = Array.isArray(r.replicas) ? (r.replicas as Settings['tunnel']['restart']['replicas']) : [];
  return { mode: r.mode, target: r.target, replicas: r.mode === 'none' ? [] : replicas };
}

const secretView = (value: string | null) => ({
  set: value !== null,
  hint: value === null ? null : hintOf(value),
});

/** Present settings without secrets. */
export function toSettingsView(s: Settings): SettingsView {
  return {
    ...s,
    github: {
      ...s.github,
      oauthClientSecret: secretView(s.github.oauthClientSecret),
      appPrivateKey: { set: s.github.appPrivateKey !== null, hint: null },
      token: secretView(s.github.token),
      webhookSecret: secretView(s.github.webhookSecret),
    },
    cloudflare: { apiToken: secretView(s.cloudflare.apiToken), zoneId: s.cloudflare.zoneId },
    registries: registriesView(s.registries),
  };
}

/** Settings stored in the database over env defaults; secrets encrypted at rest; cached in memory. */
export function createSettingsService(deps: {
  repo: SettingsRepository;
  box: SecretBox;
  defaults: Record<string, unknown>;
  audit: AuditService;
  clock: Clock;
}) {
  let cache: Settings | null = null;
  const listeners = new Set<(s: Settings) => void>();

  async function loadValues(): Promise<Record<string, unknown>> {
    const values: Record<string, unknown> = { ...deps.defaults };
    for (const row of await deps.repo.all()) {
      values[row.key] = row.secret
        ? deps.box.decrypt(JSON.parse(row.value) as string)
        : JSON.parse(row.value);
    }
    values.registries = openRegistries(values.registries, deps.box);
    return values;
  }

  async function get(): Promise<Settings> {
    cache ??= build(await loadValues());
    return cache;
  }

  return {
    get,
    async view(): Promise<SettingsView> {
      return toSettingsView(await get());
    },
    /** Every secret currently known, for masking in logs. */
    async secrets(): Promise<string[]> {
      const s = await get();
      const all: Secrets = {
        'github.oauthClientSecret': s.github.oauthClientSecret,
        'github.appPrivateKey': s.github.appPrivateKey,
        'github.token': s.github.token,
        'github.webhookSecret': s.github.webhookSecret,
        'cloudflare.apiToken': s.cloudflare.apiToken,
      };
      const registryPasswords = s.registries.map((r) => r.password);
      return [...Object.values(all), ...registryPasswords].filter(
        (x): x is string => typeof x === 'string' && x.length >= 4,
      );
    },
    /** Call `fn` whenever settings change. */
    onChange(fn: (s: Settings) => void): () => void {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async update(ctx: RequestContext, patch: SettingsPatch): Promise<SettingsView> {
      const current = await loadValues();
      const flat = flatten(patch, current);
      const ports = flat.ports as { start: number; end: number } | undefined;
      if (ports && ports.start > ports.end) {
        throw validationError('invalid settings', [
          { path: 'ports', message: 'start must not be after end' },
        ]);
      }
      if (patch.registries) {
        const merged = mergeRegistries(current.registries as RegistryCredential[], patch.registries);
        flat.registries = sealRegistries(merged, deps.box);
      }
      const restart = flat['tunnel.restart'] as
        | { mode: string; target: string | null; replicas?: unknown[] }
        | undefined;
      if (restart?.mode === 'none') flat['tunnel.restart'] = { mode: 'none', target: null, replicas: [] };
      // A Swarm service is one target (the Swarm rolls its replicas): stored replicas do not apply.
      else if (restart?.mode === 'swarm') flat['tunnel.restart'] = { ...restart, replicas: [] };
      else if (restart && restart.replicas === undefined) {
        // A client that knows only {mode, target} keeps the replicas an admin listed.
        const stored = current['tunnel.restart'] as { replicas?: unknown[] } | undefined;
        flat['tunnel.restart'] = { ...restart, replicas: stored?.replicas ?? [] };
      }
      const changes = Object.entries(flat).map(([key, value]) => {
        if (!isSecret(key)) return { key, value: JSON.stringify(value), secret: false };
        // Clearing a secret stores an explicit null so an env default does not come back.
        if (value === null) return { key, value: JSON.stringify(null), secret: false };
        return { key, value: JSON.stringify(deps.box.encrypt(value as string)), secret: true };
      });
      await deps.repo.apply(changes, deps.clock.now().toISOString(), ctx.actor?.login ?? null);
      cache = null;
      const next = await get();
      for (const fn of listeners) fn(next);
      await deps.audit.record(ctx, 'settings.update', {
        target: 'settings',
        details: { keys: Object.keys(flat).sort() },
      });
      return toSettingsView(next);
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
