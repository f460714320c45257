import type CloudflareSdk from 'cloudflare';
import { AppError, conflict, upstreamError } from '../../domain/errors.js';
import type { TunnelConnection } from './cloudflared-cli.js';

/** Comment on every DNS record the panel creates: how it recognises its own records. */
export const MANAGED_COMMENT = 'managed by warp-panel';

const UPSTREAM = 'Cloudflare API';

/** A remotely-managed tunnel's configuration (`ingress` plus anything else, kept as it came). */
export interface RemoteConfig {
  ingress?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** The fields of a DNS record the panel looks at. */
export interface DnsRecord {
  id: string;
  name: string;
  type: string;
  content: string | null;
  comment: string | null;
}

/** Where the remote tunnel and its zone are, and the token to reach them. */
export interface CloudflareApiOptions {
  apiUrl: string;
  apiToken: string;
  accountId: string;
  tunnelId: string;
  zoneId: string | null;
  timeoutMs?: number;
}

/** Cloudflare's error codes for "a record with that host already exists". */
const RECORD_EXISTS = new Set([1003, 81053, 81057, 81058]);

/** The SDK is loaded on first use: it costs ~50 MB of memory, and only remote mode or API DNS needs it. */
let sdk: Promise<typeof import('cloudflare')> | null = null;
const loadSdk = () => {
  sdk ??= import('cloudflare');
  return sdk;
};

/** One translation point: API errors become domain errors quoting Cloudflare's reason (never the token). */
async function translate(err: unknown, what: string): Promise<AppError> {
  if (err instanceof AppError) return err;
  const { APIError } = await loadSdk();
  if (err instanceof APIError) {
    const first = err.errors[0];
    const reason = first ? `${first.code}: ${first.message}` : (err.message ?? 'request failed');
    if (first && RECORD_EXISTS.has(Number(first.code))) {
      return conflict(
        `${what}: a DNS record with that name already exists (${reason}); remove it in the Cloudflare dashboard or pick another subdomain`,
      );
    }
    return upstreamError(UPSTREAM, `${what} failed (${err.status ?? 'no response'} ${reason})`, err);
  }
  return upstreamError(UPSTREAM, `${what} failed: ${err instanceof Error ? err.message : String(err)}`, err);
}

const toRecord = (r: {
  id: string;
  name: string;
  type: string;
  content?: string;
  comment?: string | null;
}) => ({
  id: r.id,
  name: r.name,
  type: r.type,
  content: r.content ?? null,
  comment: r.comment ?? null,
});

/** The Cloudflare API calls the panel makes for a remotely-managed tunnel and its DNS records. */
export function createCloudflareApi(opts: CloudflareApiOptions) {
  let created: Promise<CloudflareSdk> | null = null;
  const sdkClient = () => {
    created ??= loadSdk().then(
      ({ default: Cloudflare }) =>
        new Cloudflare({
          apiToken: opts.apiToken,
          baseURL: opts.apiUrl,
          timeout: opts.timeoutMs ?? 20_000,
          maxRetries: 1,
        }),
    );
    return created;
  };
  const account = { account_id: opts.accountId };
  const zone = () => {
    if (!opts.zoneId)
      throw new AppError('PRECONDITION_FAILED', 'set the Cloudflare zone ID in Settings → Tunnel');
    return { zone_id: opts.zoneId };
  };
  const call = async <T>(
    what: string,
    fn: (client: CloudflareSdk, tunnels: CloudflareSdk['zeroTrust']['tunnels']['cloudflared']) => Promise<T>,
  ): Promise<T> => {
    try {
      const client = await sdkClient();
      return await fn(client, client.zeroTrust.tunnels.cloudflared);
    } catch (err) {
      throw await translate(err, what);
    }
  };

  return {
    /** `GET …/cfd_tunnel/{id}/configurations` → the config (empty when none was pushed yet). */
    getConfig: () =>
      call('get tunnel configuration', async (_client, tunnels) => {
        const res = await tunnels.configurations.get(opts.tunnelId, account);
        return { config: (res.config ?? {}) as RemoteConfig, version: res.version ?? null };
      }),
    /** `PUT …/configurations` with the whole config (cloudflared applies it live, no restart). */
    putConfig: (config: RemoteConfig) =>
      call('update tunnel configuration', async (_client, tunnels) => {
        const res = await tunnels.configurations.update(opts.tunnelId, {
          ...account,
          config: config as never,
        });
        return { version: res.version ?? null };
      }),
    /** Edge connections of every connector of the tunnel. */
    connections: () =>
      call('list tunnel connections', async (_client, tunnels) => {
        const out: TunnelConnection[] = [];
        for await (const c of tunnels.connections.get(opts.tunnelId, account)) {
          for (const conn of c.conns ?? []) {
            out.push({
              id: conn.id ?? '',
              coloName: conn.colo_name ?? null,
              openedAt: conn.opened_at ?? null,
              originIp: conn.origin_ip ?? null,
              clientId: c.id ?? null,
              clientVersion: c.version ?? null,
              pendingReconnect: (conn as { is_pending_reconnect?: boolean }).is_pending_reconnect === true,
            });
          }
        }
        return out;
      }),
    /** Records with exactly this name (any type). */
    findRecords: (name: string) =>
      call(`list DNS records for ${name}`, async (client) => {
        const out: DnsRecord[] = [];
        for await (const r of client.dns.records.list({ ...zone(), name: { exact: name } })) {
          out.push(toRecord(r as never));
        }
        return out;
      }),
    getRecord: (id: string) =>
      call(`get DNS record ${id}`, async (client) =>
        toRecord((await client.dns.records.get(id, zone())) as never),
      ),
    /** A proxied CNAME to the tunnel, marked as the panel's. */
    createTunnelCname: (name: string) =>
      call(`create DNS record ${name}`, async (client) =>
        toRecord(
          (await client.dns.records.create({
            ...zone(),
            type: 'CNAME',
            name,
            content: `${opts.tunnelId}.cfargotunnel.com`,
            proxied: true,
            ttl: 1,
            comment: MANAGED_COMMENT,
          })) as never,
        ),
      ),
    deleteRecord: (id: string) =>
      call(`delete DNS record ${id}`, async (client) => {
        await client.dns.records.delete(id, zone());
      }),
  };
}

/** The Cloudflare API client. */
export type CloudflareApi = ReturnType<typeof createCloudflareApi>;
