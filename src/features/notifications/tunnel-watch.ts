import type { Logger } from 'pino';
import type { NotificationInput } from './notification-events.js';

/** The part of the tunnel's health the watch reads. */
export interface TunnelHealthView {
  status: 'ok' | 'degraded' | 'down' | 'unconfigured';
  connections: number | null;
  tunnel: { name: string | null } | null;
  message: string | null;
}

/**
 * Polls the tunnel's health (cloudflared or the Cloudflare API; there is no event stream) and
 * publishes `tunnel.down` once the tunnel has been down (no connection, or unreachable) for longer
 * than `downForMs`; it fires again only after the tunnel came back. An unconfigured tunnel is not down.
 */
export function createTunnelWatch(deps: {
  health: () => Promise<TunnelHealthView>;
  publish: (input: NotificationInput) => Promise<unknown>;
  log: Logger;
  pollMs?: number;
  downForMs?: number;
  now?: () => number;
}) {
  const pollMs = deps.pollMs ?? 30_000;
  const downForMs = deps.downForMs ?? 60_000;
  const now = deps.now ?? Date.now;
  let downSince: number | null = null;
  let notified = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;

  async function check(): Promise<void> {
    let h: TunnelHealthView;
    try {
      h = await deps.health();
    } catch (err) {
      deps.log.debug({ err }, 'tunnel health not read');
      return;
    }
    if (h.status !== 'down') {
      downSince = null;
      notified = false;
      return;
    }
    downSince ??= now();
    if (notified || now() - downSince < downForMs) return;
    notified = true;
    const name = h.tunnel?.name ?? 'the tunnel';
    await deps.publish({
      event: 'tunnel.down',
      title: `Tunnel down: ${name}`,
      message: `Cloudflare Tunnel ${name} has had no connection for more than ${Math.round(downForMs / 1000)} s${h.message ? ` (${h.message})` : ''}: published apps are unreachable.`,
      details: { connections: h.connections, downSince: new Date(downSince).toISOString() },
      linkPath: '/tunnel',
      groupKey: 'tunnel.down',
    });
  }

  return {
    start(): void {
      if (timer) return;
      const run = () => {
        current = check()
          .catch((err) => deps.log.warn({ err }, 'tunnel watch failed'))
          .finally(() => {
            current = null;
          });
      };
      run();
      timer = setInterval(run, pollMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await current;
    },
    check,
  };
}
