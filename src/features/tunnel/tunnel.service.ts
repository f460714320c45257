import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.schema.js';
import type { Database, RouteRow } from '../../db/schema.js';
import { preconditionFailed, validationError } from '../../domain/errors.js';
import { type IngressRule, parseIngressConfig } from '../../domain/ingress/index.js';
import { hostnameFor, isInsideDomain } from '../../domain/subdomain.js';
import type { CloudflareApi } from '../../integrations/cloudflare/cloudflare-api.js';
import type { LogSink } from '../../integrations/cloudflare/restart-coordinator.js';
import {
  createRollingRestarter,
  type RollingOptions,
} from '../../integrations/cloudflare/rolling-restarter.js';
import {
  createDockerRestarter,
  createSystemdRestarter,
  type PollOptions,
  type TunnelRestarter,
} from '../../integrations/cloudflare/tunnel-restarter.js';
import type { DockerClient } from '../../integrations/docker/docker-client.js';
import { createSwarmTunnelRestarter } from '../../integrations/swarm/cloudflared-service.js';
import type { Clock } from '../../lib/clock.js';
import { createRunner } from '../../lib/process/runner.js';
import type { RoutesRepository } from '../../repositories/routes.repository.js';
import type { Settings } from '../settings/index.js';
import { apiFactory, createBackends, type TunnelContext } from './tunnel-backends.js';
import { assertNotForeign } from './tunnel-ingress.js';
import { createTunnelStatus } from './tunnel-status.js';

/** The part of a job context tunnel work uses; a `JobContext` fits. Without one, a plain runner is used. */
export interface TunnelJobContext {
  log: LogSink;
  step?<T>(title: string, fn: () => Promise<T>): Promise<T>;
  run?: TunnelContext['run'];
}

/** What to publish: `service` (e.g. `http://localhost:8100`) at `<subdomain>.<baseDomain>` (or that `hostname`). */
export interface PublishInput {
  projectId: string | null;
  subdomain?: string;
  hostname?: string;
  service: string;
}

/** What a publish did. */
export interface PublishResult {
  hostname: string;
  url: string;
  service: string;
  dns: 'created' | 'exists';
  configChanged: boolean;
  restarted: boolean;
}

/** Dependencies of the tunnel service. */
export interface TunnelServiceDeps {
  settings: { get(): Promise<Settings> };
  routes: RoutesRepository;
  config: Pick<Config, 'cloudflaredBin' | 'systemctlBin' | 'dataDir' | 'cloudflare'>;
  docker: () => DockerClient;
  clock: Clock;
  logger: Logger;
  /** Restarts requested within this window share one restart (default 2 s). */
  restartWindowMs?: number;
  /** How long/often to check the tunnel came back after a restart (and rolling restarts' timings). */
  restartPoll?: PollOptions & { settleMs?: number } & RollingOptions;
  /** Override of the Cloudflare API client (tests point the real client at a fake server instead). */
  api?: (s: Settings) => CloudflareApi;
}

/**
 * Publishing: the panel's routes (`routes` table) rendered into the tunnel — config.yml + `cloudflared
 * tunnel route dns` + restart in local mode, the Cloudflare API in remote mode. Only rules and DNS
 * records the panel owns are ever touched.
 */
export function createTunnelService(deps: TunnelServiceDeps) {
  const plainRunner = createRunner();
  const restarterOf = (mode: 'systemd' | 'docker', target: string, replicated: boolean): TunnelRestarter =>
    mode === 'systemd'
      ? createSystemdRestarter({
          systemctlBin: deps.config.systemctlBin,
          unit: target,
          run: plainRunner,
          poll: deps.restartPoll,
        })
      : createDockerRestarter({
          docker: deps.docker(),
          container: target,
          poll: deps.restartPoll,
          // A replica drains for cloudflared's --grace-period before it exits: let it.
          ...(replicated ? { stopTimeoutSeconds: 35 } : {}),
        });
  const restarterFor = (s: Settings): TunnelRestarter | null => {
    const { mode, target, replicas = [] } = s.tunnel.restart;
    if (mode === 'none') return null;
    if (mode === 'swarm') {
      if (!target) return null;
      // cloudflared as a Swarm service: the same config.yml, delivered as a versioned Swarm config;
      // the Swarm rolls its replicas itself (start-first), so no rolling restarter around it.
      return createSwarmTunnelRestarter({
        docker: deps.docker(),
        configPath: s.tunnel.configPath,
        service: target,
        image: s.swarm.cloudflaredImage,
        replicas: s.swarm.cloudflaredReplicas,
        network: s.swarm.network,
        tunnel: s.tunnel.id ?? s.tunnel.name,
        pacing: {
          delayNs: s.swarm.updateDelaySeconds * 1e9,
          monitorNs: s.swarm.updateMonitorSeconds * 1e9,
        },
        ...(deps.restartPoll?.timeoutMs ? { timeoutMs: deps.restartPoll.timeoutMs } : {}),
        log: deps.logger,
      });
    }
    if (replicas.length > 0) {
      return createRollingRestarter(
        replicas.map((r) => ({ restarter: restarterOf(mode, r.target, true), metrics: r.metrics })),
        deps.restartPoll ?? {},
      );
    }
    return target ? restarterOf(mode, target, false) : null;
  };
  const backends = createBackends({
    routes: deps.routes,
    cloudflaredBin: deps.config.cloudflaredBin,
    backupDir: `${deps.config.dataDir}/tunnel-backups`,
    clock: deps.clock,
    logger: deps.logger,
    restartWindowMs: deps.restartWindowMs ?? 2_000,
    restarterFor,
    api: deps.api ?? apiFactory(deps.config.cloudflare.apiUrl),
  });
  const now = () => deps.clock.now().toISOString();

  const contextOf = (ctx?: TunnelJobContext): TunnelContext => {
    const logger = deps.logger;
    const log: LogSink = ctx?.log ?? {
      info: (t) => logger.info(t),
      warn: (t) => logger.warn(t),
      error: (t) => logger.error(t),
    };
    return {
      log,
      step: ctx?.step ? ctx.step.bind(ctx) : (_title, fn) => fn(),
      // Inside a job, programs run through ctx.run so cancel kills them and output lands in the job log.
      run: ctx?.run ? ctx.run.bind(ctx) : plainRunner,
    };
  };

  /** The hostname of `<subdomain>` or a given hostname, checked: one label under the base domain, not reserved. */
  async function hostname(
    target: string | { subdomain?: string; hostname?: string },
  ): Promise<{ s: Settings; hostname: string }> {
    const s = await deps.settings.get();
    if (!s.baseDomain)
      throw preconditionFailed('set the base domain (settings.baseDomain) before publishing');
    const base = s.baseDomain.toLowerCase();
    const given = typeof target === 'string' ? { subdomain: target } : target;
    let sub = given.subdomain;
    if (sub === undefined) {
      const host = (given.hostname ?? '').toLowerCase().replace(/\.$/, '');
      if (!isInsideDomain(host, base) || host === base) {
        throw validationError(`${host} is not inside the base domain ${base}`, [
          { path: 'hostname', message: `must be <subdomain>.${base}` },
        ]);
      }
      sub = host.slice(0, -(base.length + 1));
    }
    return { s, hostname: hostnameFor(sub, base) };
  }

  async function assertNotHandWritten(
    target: string | { subdomain?: string; hostname?: string },
  ): Promise<string> {
    const { s, hostname: host } = await hostname(target);
    const owner = await deps.routes.byHostname(host);
    if (s.tunnel.mode === 'local' && !(owner && owner.ingress_state !== 'pending')) {
      // A hand-written rule for this hostname: refuse now rather than fail in the job.
      const read = await backends
        .store(s.tunnel.configPath)
        .read()
        .catch(() => null);
      if (read) {
        let rules: IngressRule[] = [];
        try {
          rules = parseIngressConfig(read).rules;
        } catch {
          // An unreadable config fails in the job, with the parser's message.
        }
        assertNotForeign(rules, host, false);
      }
    }
    return host;
  }

  /** Publishes `service` at `<subdomain>.<baseDomain>`: DNS route, ingress rule, restart when it changed. */
  async function publish(input: PublishInput, jobCtx?: TunnelJobContext): Promise<PublishResult> {
    const ctx = contextOf(jobCtx);
    const { s, hostname: host } = await hostname(input);
    const ingress = backends.ingress(s);
    const dns = backends.dns(s);
    ctx.log.info(`publishing https://${host} → ${input.service}`);
    const claim = await deps.routes.claim(
      { hostname: host, service: input.service, projectId: input.projectId },
      now(),
    );
    const row = claim.row;
    try {
      const dnsResult = await ctx.step(`DNS route for ${host}`, () => dns.ensure(row, ctx));
      await deps.routes.update(row.id, {
        dns_state: dnsResult.state,
        dns_record_id: dnsResult.recordId ?? row.dns_record_id,
        updated_at: now(),
      });
      const applied = await ctx.step('ingress rule', () =>
        ingress.apply(async (rules) => {
          assertNotForeign(rules, host, row.ingress_state !== 'pending');
          await deps.routes.update(row.id, { ingress_state: 'applied', updated_at: now() });
        }, ctx),
      );
      const restarted = await ctx.step('apply to the tunnel', () => applied.settle());
      return {
        hostname: host,
        url: `https://${host}`,
        service: input.service,
        dns: dnsResult.state,
        configChanged: applied.changed,
        restarted,
      };
    } catch (err) {
      // Back to what the tunnel runs: the old service if it was published before, else not published.
      await deps.routes.update(row.id, {
        service: claim.previousService ?? input.service,
        ingress_state: row.ingress_state === 'applied' ? 'applied' : 'pending',
        updated_at: now(),
      });
      throw err;
    }
  }

  /** Removes a project's routes from the tunnel (and its DNS records where the panel can). */
  async function unpublish(projectId: string, jobCtx?: TunnelJobContext): Promise<{ removed: string[] }> {
    const ctx = contextOf(jobCtx);
    const rows = await deps.routes.byProject(projectId);
    if (rows.length === 0) {
      ctx.log.info('no route to remove');
      return { removed: [] };
    }
    const s = await deps.settings.get();
    const hosts = rows.map((r) => r.hostname);
    let ingress: ReturnType<typeof backends.ingress> | null = null;
    try {
      ingress = backends.ingress(s);
    } catch (err) {
      ctx.log.warn(
        `cannot edit the tunnel config (${(err as Error).message}); forgetting the route(s) ${hosts.join(', ')} anyway`,
      );
    }
    if (ingress) {
      const target = ingress;
      try {
        const applied = await ctx.step(`remove ingress rule(s) for ${hosts.join(', ')}`, () =>
          target.apply(async () => {
            for (const r of rows) {
              // A never-applied row has no rule to remove; marking it would claim a hand-written one.
              if (r.ingress_state !== 'pending') {
                await deps.routes.update(r.id, { ingress_state: 'removing', updated_at: now() });
              }
            }
          }, ctx),
        );
        await ctx.step('apply to the tunnel', () => applied.settle());
      } catch (err) {
        for (const r of rows)
          await deps.routes.update(r.id, { ingress_state: r.ingress_state, updated_at: now() });
        throw err;
      }
      const dns = backends.dns(s);
      for (const r of rows) await dns.remove(r, ctx);
    }
    for (const r of rows) await deps.routes.delete(r.id);
    return { removed: hosts };
  }

  return {
    /** `<subdomain>.<baseDomain>`, validated (422 without a base domain, 400 for a bad or reserved label). */
    hostnameFor: async (subdomain: string) => (await hostname(subdomain)).hostname,
    /** 409 when `<subdomain>` is routed by a rule of config.yml the panel does not manage (checked at request time). */
    assertNotHandWritten,
    publish,
    unpublish,
    /** The same as `publish`/`unpublish` with the deploy flows' argument order (`Publisher` in features/deploy). */
    publisher: {
      publish: async (
        ctx: TunnelJobContext,
        input: { projectId: string; hostname: string; service: string },
      ) => {
        await publish(input, ctx);
      },
      unpublish: async (ctx: TunnelJobContext, projectId: string) => {
        await unpublish(projectId, ctx);
      },
      hostnames: async (projectId: string) => (await deps.routes.byProject(projectId)).map((r) => r.hostname),
    },
    ...createTunnelStatus({
      settings: deps.settings,
      routes: deps.routes,
      backends,
      cloudflaredBin: deps.config.cloudflaredBin,
      run: plainRunner,
    }),
  };
}

/** The tunnel service. */
export type TunnelService = ReturnType<typeof createTunnelService>;
