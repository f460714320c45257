import type { RouteRow } from '../../db/schema.js';
import { conflict } from '../../domain/errors.js';
import { type CloudflareApi, MANAGED_COMMENT } from '../../integrations/cloudflare/cloudflare-api.js';
import type { CloudflaredCli } from '../../integrations/cloudflare/cloudflared-cli.js';
import type { LogSink } from '../../integrations/cloudflare/restart-coordinator.js';
import type { Runner } from '../../lib/task-context.js';
import type { Settings } from '../settings/index.js';

/** What tunnel work needs from a job: its log, and (inside a job) steps and a cancellable runner. */
export interface TunnelContext {
  log: LogSink;
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  run: Runner;
}

/** Where DNS records are made. */
export interface DnsBackend {
  ensure(
    row: RouteRow,
    ctx: TunnelContext,
  ): Promise<{ state: 'created' | 'exists'; recordId: string | null }>;
  remove(row: RouteRow, ctx: TunnelContext): Promise<void>;
}

/** DNS through `cloudflared tunnel route dns` (cloudflared cannot delete a route: removal only says so). */
export function createCliDns(s: Settings, cli: CloudflaredCli): DnsBackend {
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

/** DNS through the API: a proxied CNAME marked as the panel's; only records it created are ever deleted. */
export function createApiDns(s: Settings, api: CloudflareApi): DnsBackend {
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
