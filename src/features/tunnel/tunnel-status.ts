import fs from 'node:fs';
import { validateIngress } from '../../domain/ingress/index.js';
import type { TunnelConnection } from '../../integrations/cloudflare/cloudflared-cli.js';
import { createCloudflaredCli } from '../../integrations/cloudflare/cloudflared-cli.js';
import type { Runner } from '../../lib/task-context.js';
import type { RoutesRepository } from '../../repositories/routes.repository.js';
import type { Settings } from '../settings/index.js';
import { settingNames } from '../settings/index.js';
import { type Backends, missingRemoteSettings } from './tunnel-backends.js';

/** API.md's IngressRule. */
export interface IngressRuleView {
  hostname: string | null;
  path: string | null;
  service: string;
  managed: boolean;
  projectId: string | null;
}

/** `GET /api/v1/tunnel/config`. */
export interface ConfigPreview {
  path: string;
  content: string;
  valid: boolean;
  errors: string[];
  rules: IngressRuleView[];
}

/** `GET /health/tunnel`. */
export interface TunnelHealth {
  status: 'ok' | 'degraded' | 'down' | 'unconfigured';
  mode: 'local' | 'remote';
  tunnel: { name: string | null; id: string | null } | null;
  connections: number | null;
  config: { path: string; valid: boolean; errors: string[] };
  message: string | null;
}

/** How publishing reaches the tunnel, and the warning the UI shows when a publish drops requests. */
export function restartSummary(s: Settings): {
  mode: Settings['tunnel']['restart']['mode'];
  replicas: number;
  warning: string | null;
} {
  const { mode, target, replicas = [] } = s.tunnel.restart;
  let count = replicas.length > 0 ? replicas.length : target && mode !== 'none' ? 1 : 0;
  // A Swarm service runs swarm.cloudflaredReplicas tasks, rolled start-first by the Swarm.
  if (mode === 'swarm') count = target ? s.swarm.cloudflaredReplicas : 0;
  const warning =
    s.tunnel.mode === 'local' && mode !== 'none' && count < 2
      ? 'cloudflared runs as a single replica: every publish restarts it and briefly interrupts every app behind the tunnel. Run two replicas of the tunnel (README → Releases without downtime).'
      : null;
  return { mode, replicas: count, warning };
}

/** Cloudflare: "A healthy tunnel will have four connections". */
const HEALTHY_CONNECTIONS = 4;

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Read-only views of the tunnel: overview, config preview, health. */
export function createTunnelStatus(deps: {
  settings: { get(): Promise<Settings> };
  routes: RoutesRepository;
  backends: Backends;
  cloudflaredBin: string;
  run: Runner;
}) {
  let inflight: Promise<TunnelHealth> | null = null;

  function unconfigured(s: Settings): string | null {
    if (s.tunnel.mode === 'remote') {
      const missing = missingRemoteSettings(s);
      return missing.length > 0 ? `remote tunnel mode needs these settings: ${settingNames(missing)}` : null;
    }
    return s.tunnel.name ? null : 'set the Tunnel name (your cloudflared tunnel) in Settings → Tunnel';
  }

  async function preview(s: Settings): Promise<ConfigPreview> {
    const rows = new Map((await deps.routes.all()).map((r) => [r.hostname, r]));
    let read: Awaited<ReturnType<ReturnType<Backends['ingress']>['read']>>;
    try {
      const backend =
        s.tunnel.mode === 'remote' || unconfigured(s) === null ? deps.backends.ingress(s) : null;
      read = backend
        ? await backend.read()
        : { path: s.tunnel.configPath, text: null, rules: [], error: unconfigured(s) };
    } catch (err) {
      read = { path: s.tunnel.configPath, text: null, rules: [], error: errorMessage(err) };
    }
    const errors = read.error ? [read.error] : validateIngress(read.rules);
    return {
      path: read.path,
      content: read.text ?? '',
      valid: errors.length === 0,
      errors,
      rules: read.rules.map((r) => {
        const row = r.hostname ? rows.get(r.hostname.toLowerCase()) : undefined;
        return {
          hostname: r.hostname,
          path: r.path,
          service: r.service,
          managed: row !== undefined,
          projectId: row?.project_id ?? null,
        };
      }),
    };
  }

  async function connections(s: Settings): Promise<{ id: string | null; list: TunnelConnection[] }> {
    if (s.tunnel.mode === 'remote') {
      return { id: s.tunnel.id, list: await deps.backends.remoteConnections(s) };
    }
    const cli = createCloudflaredCli({ bin: deps.cloudflaredBin, configPath: s.tunnel.configPath });
    // Name the config only when it exists: cloudflared refuses a --config file that is missing.
    const info = await cli.info(deps.run, s.tunnel.name as string, fs.existsSync(s.tunnel.configPath));
    return { id: info.id, list: info.connections };
  }

  return {
    /** `GET /api/v1/tunnel/config`: the config and what cloudflared would say about it. */
    async configPreview(): Promise<ConfigPreview> {
      return preview(await deps.settings.get());
    },
    /** `GET /api/v1/tunnel`. */
    async overview() {
      const s = await deps.settings.get();
      const { rules } = await preview(s);
      let conns: { id: string | null; list: TunnelConnection[] } | null = null;
      if (unconfigured(s) === null) conns = await connections(s).catch(() => null);
      return {
        mode: s.tunnel.mode,
        name: s.tunnel.name,
        id: s.tunnel.id ?? conns?.id ?? null,
        rules,
        connections: conns?.list ?? null,
        lastRestartAt: deps.backends.lastRestartAt(s.tunnel.configPath),
        restart: restartSummary(s),
      };
    },
    /** `GET /health/tunnel`: ok (≥ 4 connections, valid config), degraded, down, or unconfigured. */
    health(): Promise<TunnelHealth> {
      inflight ??= (async () => {
        const s = await deps.settings.get();
        const tunnel = { name: s.tunnel.name, id: s.tunnel.id };
        const why = unconfigured(s);
        const p = await preview(s);
        const config = { path: p.path, valid: p.valid, errors: p.errors };
        if (why)
          return {
            status: 'unconfigured',
            mode: s.tunnel.mode,
            tunnel: null,
            connections: null,
            config,
            message: why,
          } as const;
        let list: TunnelConnection[];
        try {
          const c = await connections(s);
          tunnel.id ??= c.id;
          list = c.list;
        } catch (err) {
          return {
            status: 'down',
            mode: s.tunnel.mode,
            tunnel,
            connections: null,
            config,
            message: errorMessage(err),
          } as const;
        }
        const n = list.filter((c) => !c.pendingReconnect).length;
        const status = n === 0 ? 'down' : n >= HEALTHY_CONNECTIONS && p.valid ? 'ok' : 'degraded';
        const message =
          n === 0
            ? 'the tunnel has no active connection'
            : !p.valid
              ? `the tunnel config has problems: ${p.errors[0]}`
              : n < HEALTHY_CONNECTIONS
                ? `${n} of ${HEALTHY_CONNECTIONS} connections`
                : null;
        return { status, mode: s.tunnel.mode, tunnel, connections: n, config, message } as const;
      })().finally(() => {
        inflight = null;
      });
      return inflight;
    },
  };
}
