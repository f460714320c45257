import fs from 'node:fs';
import type { Logger } from 'pino';
import { stringify as stringifyYaml } from 'yaml';
import type { RouteRow } from '../db/schema.js';
import { conflict, preconditionFailed } from '../domain/errors.js';
import { type IngressRule, parseIngressConfig } from '../domain/ingress/index.js';
import {
  type CloudflareApi,
  createCloudflareApi,
  MANAGED_COMMENT,
} from '../integrations/cloudflare/cloudflare-api.js';
import { type CloudflaredCli, createCloudflaredCli } from '../integrations/cloudflare/cloudflared-cli.js';
import { createMutex } from '../integrations/cloudflare/config-lock.js';
import { type ConfigStore, createConfigStore } from '../integrations/cloudflare/config-store.js';
import type { Runner } from '../integrations/cloudflare/process-runner.js';
import {
  createRestartCoordinator,
  type LogSink,
  type RestartCoordinator,
} from '../integrations/cloudflare/restart-coordinator.js';
import type { TunnelRestarter } from '../integrations/cloudflare/tunnel-restarter.js';
import type { Clock } from '../lib/clock.js';
import type { RoutesRepository } from '../repositories/routes.repository.js';
import type { Settings } from './settings.service.js';
import { mergeConfigText, mergeJsonIngress, ruleFromJson } from './tunnel-ingress.js';

/** What tunnel work needs from a job: its log, and (inside a job) steps and a cancellable runner. */
export interface TunnelContext {
  log: LogSink;
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  run: Runner;
}

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

/** Where DNS records are made. */
export interface DnsBackend {
  ensure(
    row: RouteRow,
    ctx: TunnelContext,
  ): Promise<{ state: 'created' | 'exists'; recordId: string | null }>;
  remove(row: RouteRow, ctx: TunnelContext): Promise<void>;
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
      throw preconditionFailed(`the Cloudflare API needs these settings: ${missing.join(', ')}`);
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
                `${store.path} does not exist: set tunnel.configPath to cloudflared's config file`,
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

  function cliDns(s: Settings, cli: CloudflaredCli): DnsBackend {
    return {
      async ensure(row, ctx) {
        const state = await cli.routeDns(ctx.run, s.tunnel.name as string, row.hostname);
        ctx.log.info(
          state === 'created'
            ? `DNS: added a CNAME for ${row.hostname} to tunnel ${s.tunnel.name}`
            : `DNS: ${row.hostname} already routes to tunnel ${s.tunnel.name}`,
        );
        return { state, recordId: null };
      },
      async remove(row, ctx) {
        ctx.log.warn(
          `DNS: the CNAME for ${row.hostname} stays in place (cloudflared has no command to delete a route); ` +
            'delete it in the Cloudflare dashboard if you no longer need it',
        );
      },
    };
  }

  function apiDns(s: Settings): DnsBackend {
    const api = deps.api(s);
    const target = `${s.tunnel.id}.cfargotunnel.com`;
    return {
      async ensure(row, ctx) {
        const records = await api.findRecords(row.hostname);
        const ours = records.find((r) => r.id === row.dns_record_id || r.comment === MANAGED_COMMENT);
        if (ours) {
          ctx.log.info(`DNS: the panel's record for ${row.hostname} exists`);
          return { state: 'exists', recordId: ours.id };
        }
        if (records.some((r) => r.type === 'CNAME' && r.content === target)) {
          ctx.log.info(
            `DNS: ${row.hostname} already points to this tunnel (a record the panel did not create)`,
          );
          return { state: 'exists', recordId: null };
        }
        const blocking = records.find((r) => ['A', 'AAAA', 'CNAME'].includes(r.type));
        if (blocking) {
          throw conflict(
            `a DNS ${blocking.type} record for ${row.hostname} already exists and does not point to this tunnel: ` +
              'remove the existing A/AAAA/CNAME record in the Cloudflare dashboard, or pick another subdomain',
          );
        }
        const created = await api.createTunnelCname(row.hostname);
        ctx.log.info(`DNS: created a proxied CNAME ${row.hostname} → ${target}`);
        return { state: 'created', recordId: created.id };
      },
      async remove(row, ctx) {
        if (!row.dns_record_id) {
          ctx.log.info(`DNS: the record for ${row.hostname} was not created by the panel; left in place`);
          return;
        }
        const record = await api.getRecord(row.dns_record_id).catch(() => null);
        if (!record || record.comment !== MANAGED_COMMENT) {
          ctx.log.warn(
            `DNS: the record for ${row.hostname} is gone or no longer marked as the panel's; left alone`,
          );
          return;
        }
        await api.deleteRecord(record.id);
        ctx.log.info(`DNS: deleted the panel's record for ${row.hostname}`);
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
          throw preconditionFailed(`remote tunnel mode needs these settings: ${missing.join(', ')}`);
        return remote(s);
      }
      if (!s.tunnel.name) throw preconditionFailed('set tunnel.name (the cloudflared tunnel) in settings');
      if (!fs.existsSync(s.tunnel.configPath)) {
        throw preconditionFailed(
          `${s.tunnel.configPath} does not exist: set tunnel.configPath to cloudflared's config file`,
        );
      }
      return local(s);
    },
    /** The DNS backend: the API in remote mode or with dnsMode `api`, else `cloudflared tunnel route dns`. */
    dns(s: Settings): DnsBackend {
      if (s.tunnel.mode === 'remote' || s.tunnel.dnsMode === 'api') {
        if (!s.tunnel.id || !s.cloudflare.zoneId || !s.cloudflare.apiToken) {
          throw preconditionFailed(
            'DNS through the API needs tunnel.id, cloudflare.zoneId and cloudflare.apiToken',
          );
        }
        return apiDns(s);
      }
      return cliDns(s, createCloudflaredCli({ bin: deps.cloudflaredBin, configPath: s.tunnel.configPath }));
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
