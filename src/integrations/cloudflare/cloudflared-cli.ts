import { AppError, conflict, upstreamError } from '../../domain/errors.js';
import { ANY_EXIT_CODE, lastLine } from '../../lib/process/runner.js';
import type { Runner } from '../../lib/task-context.js';

/** One edge connection of a connector, as `cloudflared tunnel info -o json` prints it. */
export interface TunnelConnection {
  id: string;
  coloName: string | null;
  openedAt: string | null;
  originIp: string | null;
  clientId: string | null;
  clientVersion: string | null;
  pendingReconnect: boolean;
}

/** The parts of `cloudflared tunnel info -o json <name>` the panel uses. */
export interface TunnelInfo {
  id: string | null;
  name: string | null;
  connections: TunnelConnection[];
}

/** What `route dns` did: a new CNAME, or one already pointing at this tunnel. */
export type DnsOutcome = 'created' | 'exists';

const UPSTREAM = 'cloudflared';
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Parses the JSON of `tunnel info -o json` (connectors → their edge connections). */
export function parseTunnelInfo(json: string): TunnelInfo {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw upstreamError(UPSTREAM, `tunnel info printed no JSON: ${lastLine(json) || 'empty output'}`);
  }
  const connectors = Array.isArray(data.conns) ? (data.conns as Record<string, unknown>[]) : [];
  const connections = connectors.flatMap((client) =>
    (Array.isArray(client.conns) ? (client.conns as Record<string, unknown>[]) : []).map((c) => ({
      id: str(c.id) ?? '',
      coloName: str(c.colo_name),
      openedAt: str(c.opened_at),
      originIp: str(c.origin_ip),
      clientId: str(client.id),
      clientVersion: str(client.version),
      pendingReconnect: c.is_pending_reconnect === true,
    })),
  );
  return { id: str(data.id), name: str(data.name), connections };
}

/**
 * The cloudflared CLI, always by argv. Every command names the config file (`tunnel --config
 * <path> …`) so cloudflared reads the same file the panel edits.
 */
export function createCloudflaredCli(opts: { bin: string; configPath: string }) {
  const tunnelArgv = (withConfig: boolean, ...rest: string[]) => [
    opts.bin,
    'tunnel',
    ...(withConfig ? ['--config', opts.configPath] : []),
    ...rest,
  ];
  return {
    /**
     * `cloudflared tunnel route dns <tunnel> <hostname>`: "Added CNAME" and "already configured"
     * are success; code 1003 (another A/AAAA/CNAME record owns the name) is a CONFLICT that says
     * what to do. A CNAME created under another name (hostname outside cert.pem's zone) is refused.
     */
    async routeDns(run: Runner, tunnel: string, hostname: string): Promise<DnsOutcome> {
      const res = await run(tunnelArgv(true, 'route', 'dns', tunnel, hostname), { okCodes: ANY_EXIT_CODE });
      const out = `${res.stdout}\n${res.stderr}`;
      if (/code:\s*1003\b/.test(out)) {
        throw conflict(
          `a DNS record for ${hostname} already exists and does not point to this tunnel (Cloudflare code 1003): ` +
            'remove the existing A/AAAA/CNAME record in the Cloudflare dashboard, or pick another subdomain',
        );
      }
      if (res.code !== 0) {
        throw upstreamError(
          UPSTREAM,
          `route dns ${hostname} failed: ${lastLine(res.stderr) || lastLine(res.stdout)}`,
        );
      }
      if (/is already configured to route to your tunnel/.test(out)) return 'exists';
      const added = /Added CNAME (\S+)/.exec(out)?.[1];
      if (added && added.toLowerCase() !== hostname.toLowerCase()) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `cloudflared created ${added} instead of ${hostname}: the base domain is not the zone of cloudflared's cert.pem`,
        );
      }
      if (added) return 'created';
      throw upstreamError(
        UPSTREAM,
        `route dns ${hostname}: unexpected answer: ${lastLine(out) || 'no output'}`,
      );
    },
    /** `cloudflared tunnel info -o json <tunnel>` (quiet: machine output stays out of job logs). */
    async info(run: Runner, tunnel: string, withConfig = true): Promise<TunnelInfo> {
      const res = await run(tunnelArgv(withConfig, 'info', '-o', 'json', tunnel), {
        okCodes: ANY_EXIT_CODE,
        quiet: true,
        timeoutMs: 20_000,
      });
      if (res.code !== 0) {
        throw upstreamError(
          UPSTREAM,
          `tunnel info ${tunnel} failed: ${lastLine(res.stderr) || lastLine(res.stdout)}`,
        );
      }
      return parseTunnelInfo(res.stdout);
    },
    /** `cloudflared tunnel --config <path> ingress validate`: null when OK, else cloudflared's message. */
    async validate(run: Runner): Promise<string | null> {
      const res = await run(tunnelArgv(true, 'ingress', 'validate'), {
        okCodes: ANY_EXIT_CODE,
        timeoutMs: 20_000,
      });
      return res.code === 0 ? null : lastLine(res.stderr) || lastLine(res.stdout) || 'validation failed';
    },
  };
}

/** The cloudflared CLI wrapper. */
export type CloudflaredCli = ReturnType<typeof createCloudflaredCli>;
