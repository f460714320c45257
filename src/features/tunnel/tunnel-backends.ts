import fs from 'node:fs';
import type { Logger } from 'pino';
import { stringify as stringifyYaml } from 'yaml';
import { preconditionFailed } from '../../domain/errors.js';
import { type IngressRule, parseIngressConfig } from '../../domain/ingress/index.js';
import { type CloudflareApi, createCloudflareApi } from '../../integrations/cloudflare/cloudflare-api.js';
import { createCloudflaredCli } from '../../integrations/cloudflare/cloudflared-cli.js';
import { type ConfigStore, createConfigStore } from '../../integrations/cloudflare/config-store.js';
import {
  createRestartCoordinator,
  type RestartCoordinator,
} from '../../integrations/cloudflare/restart-coordinator.js';
import type { TunnelRestarter } from '../../integrations/cloudflare/tunnel-restarter.js';
import type { Clock } from '../../lib/clock.js';
import { createMutex } from '../../lib/mutex.js';
import type { RoutesRepository } from '../../repositories/routes.repository.js';
import type { Settings } from '../settings/index.js';
import { createApiDns, createCliDns, type DnsBackend, type TunnelContext } from './tunnel-dns.js';

export type { DnsBackend, TunnelContext } from './tunnel-dns.js';

import { settingNames } from '../settings/index.js';
import { mergeConfigText, mergeJsonIngress, ruleFromJson } from './tunnel-ingress.js';

/** Runs inside the write lock with the current rules, before the merge (conflict checks, state marks). */
export type Prepare = (rules: IngressRule[]) => Promise<void>;

/** Where ingress rules live (config.yml or the Cloudflare API). */
export interface IngressBackend {
  mode: 'local' | 'remote';
  /** Merge the panel's rows in; `settle` resolves once the tunnel runs the result. */
  apply(prepare: Prepare, ctx: TunnelContext): Promise<{ changed: boolean; settle(): Promise<boolean> }>;
  /** The current config for previews: where it is, its text, rules, or why it cannot be read. */
  read(): Promise<{ path: string; text: string | null; rules: IngressRule[]; error: string | null }>;
}

/** Shared, long-lived pieces (one store and restart coordinator per config file). */
export interface BackendDeps {
  routes: RoutesRepository;
  cloudflaredBin: string;
  backupDir: string;
  clock: Clock;
  logger: Logger;
  restartWindowMs: number;
  restarterFor(s: Settings): TunnelRestarter | null;
  api(s: Settings): CloudflareApi;
}

/** Missing remote-mode settings, by name. */
export function missingRemoteSettings(s: Settings): string[] {
  const missing: string[] = [];
  if (!s.tunnel.id) missing.push('tunnel.id');
  if (!s.tunnel.accountId) missing.push('tunnel.accountId');
  if (!s.cloudflare.apiToken) missing.push('cloudflare.apiToken');
  if (!s.cloudflare.zoneId) missing.push('cloudflare.zoneId');
  return missing;
}

/** Builds the API client of the settings (base URL from config). */
export const apiFactory =
  (apiUrl: string) =>
  (s: Settings): CloudflareApi => {
    const missing = missingRemoteSettings(s);
    if (missing.includes('tunnel.id') || missing.includes('cloudflare.apiToken')) {
      throw preconditionFailed(`the Cloudflare API needs these settings: ${settingNames(missing)}`);
    }
    return createCloudflareApi({
      apiUrl,
      apiToken: s.cloudflare.apiToken as string,
      accountId: s.tunnel.accountId ?? '',
      tunnelId: s.tunnel.id as string,
      zoneId: s.cloudflare.zoneId,
    });
  };

/** Factory of backends for the current settings; caches per config file and per tunnel. */
export function createBackends(deps: BackendDeps) {
  const locals = new Map<string, { store: ConfigStore; restarts: RestartCoordinator }>();
  const remoteMutex = createMutex();
  let latest: Settings | null = null;

  function localParts(configPath: string) {
    let parts = locals.get(configPath);
    if (!parts) {
      const store = createConfigStore({ configPath, backupDir: deps.backupDir, clock: deps.clock });
      const restarts = createRestartCoordinator({
        store,
        restarter: () => (latest ? deps.restarterFor(latest) : null),
        windowMs: deps.restartWindowMs,
        clock: deps.clock,
        logger: deps.logger,
      });
      parts = { store, restarts };
      locals.set(configPath, parts);
    }
    return parts;
  }

  function local(s: Settings): IngressBackend {
    const { store, restarts } = localParts(s.tunnel.configPath);
    return {
      mode: 'local',
      async apply(prepare, ctx) {
        const result = await store.update(
          async (text) => {
            if (text === null)
              throw preconditionFailed(
                `${store.path} does not exist: set the cloudflared config file in Settings → Tunnel`,
              );
            await prepare(parseIngressConfig(text).rules);
            return mergeConfigText(text, await deps.routes.all());
          },
          (r) => (r.changed ? restarts.noteWrite(r.before, r.backupPath) : restarts.current()),
        );
        ctx.log.info(
          result.changed
            ? `config.yml updated (backup of the previous version: ${result.backupPath ?? 'none'})`
            : 'config.yml already has the wanted rules; nothing written',
        );
        const gen = result.extra as number;
        return {
          changed: result.changed,
          settle: async () => (await restarts.ensureApplied(gen, ctx.log)).restarted,
        };
      },
      async read() {
        const text = await store.read().catch((err: Error) => {
          throw preconditionFailed(`cannot read ${store.path}: ${err.message}`);
        });
        if (text === null)
          return { path: store.path, text, rules: [], error: `${store.path} does not exist` };
        try {
          return { path: store.path, text, rules: parseIngressConfig(text).rules, error: null };
        } catch (err) {
          return { path: store.path, text, rules: [], error: (err as Error).message };
        }
      },
    };
  }

  function remote(s: Settings): IngressBackend {
    const api = deps.api(s);
    return {
      mode: 'remote',
      async apply(prepare, ctx) {
        const changed = await remoteMutex.run(async () => {
          const { config } = await api.getConfig();
          const ingress = config.ingress ?? [];
          await prepare(ingress.map(ruleFromJson));
          const merged = mergeJsonIngress(ingress, await deps.routes.all());
          if (merged.changed) await api.putConfig({ ...config, ingress: merged.ingress });
          return merged.changed;
        });
        ctx.log.info(
          changed
            ? 'tunnel configuration updated through the Cloudflare API (applied live, no restart)'
            : 'the tunnel configuration already has the wanted rules',
        );
        return { changed, settle: async () => false };
      },
      async read() {
        const where = `cloudflare:accounts/${s.tunnel.accountId}/cfd_tunnel/${s.tunnel.id}/configurations`;
        const { config } = await api.getConfig();
        const rules = (config.ingress ?? []).map(ruleFromJson);
        return { path: where, text: stringifyYaml(config, { lineWidth: 0 }), rules, error: null };
      },
    };
  }

  return {
    /** The ingress backend of these settings; checks the settings the mode needs. */
    ingress(s: Settings): IngressBackend {
      latest = s;
      if (s.tunnel.mode === 'remote') {
        const missing = missingRemoteSettings(s);
        if (missing.length > 0)
          throw preconditionFailed(`remote tunnel mode needs these settings: ${settingNames(missing)}`);
        return remote(s);
      }
      if (!s.tunnel.name)
        throw preconditionFailed('set the Tunnel name (your cloudflared tunnel) in Settings → Tunnel');
      if (!fs.existsSync(s.tunnel.configPath)) {
        throw preconditionFailed(
          `${s.tunnel.configPath} does not exist: set the cloudflared config file in Settings → Tunnel`,
        );
      }
      return local(s);
    },
    /** The DNS backend: the API in remote mode or with dnsMode `api`, else `cloudflared tunnel route dns`. */
    dns(s: Settings): DnsBackend {
      if (s.tunnel.mode === 'remote' || s.tunnel.dnsMode === 'api') {
        if (!s.tunnel.id || !s.cloudflare.zoneId || !s.cloudflare.apiToken) {
          throw preconditionFailed(
            `DNS through the API needs these settings: ${settingNames(['tunnel.id', 'cloudflare.zoneId', 'cloudflare.apiToken'])}`,
          );
        }
        return createApiDns(s, deps.api(s));
      }
      return createCliDns(
        s,
        createCloudflaredCli({ bin: deps.cloudflaredBin, configPath: s.tunnel.configPath }),
      );
    },
    /** Edge connections of the remote tunnel, from the API. */
    remoteConnections: (s: Settings) => deps.api(s).connections(),
    /** The store of a config file (previews and health read through it). */
    store: (configPath: string) => localParts(configPath).store,
    /** When this process last restarted the tunnel of that config file. */
    lastRestartAt: (configPath: string) => locals.get(configPath)?.restarts.lastRestartAt() ?? null,
  };
}

/** The backends factory. */
export type Backends = ReturnType<typeof createBackends>;
