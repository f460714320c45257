import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { NotificationInput } from './notification-events.js';
import { createTunnelWatch, type TunnelHealthView } from './tunnel-watch.js';

describe('tunnel watch', () => {
  it('publishes tunnel.down once the tunnel was down for longer than a minute, again only after it came back', async () => {
    let now = 0;
    let health: TunnelHealthView = { status: 'ok', connections: 4, tunnel: { name: 'home' }, message: null };
    const sent: NotificationInput[] = [];
    const w = createTunnelWatch({
      health: async () => health,
      publish: async (n) => sent.push(n),
      log: pino({ level: 'silent' }),
      now: () => now,
    });
    const at = async (ms: number) => {
      now = ms;
      await w.check();
    };
    await at(0);
    health = { ...health, status: 'down', connections: 0, message: 'the tunnel has no active connection' };
    await at(10_000);
    await at(60_000);
    expect(sent).toEqual([]);
    await at(70_001);
    await at(100_000);
    expect(sent).toMatchObject([{ event: 'tunnel.down', title: 'Tunnel down: home', linkPath: '/tunnel' }]);
    health = { ...health, status: 'degraded', connections: 2 };
    await at(110_000);
    health = { ...health, status: 'down', connections: 0 };
    await at(120_000);
    await at(181_000);
    expect(sent).toHaveLength(2);
    health = { status: 'unconfigured', connections: null, tunnel: null, message: null };
    await at(300_000);
    await at(400_000);
    expect(sent).toHaveLength(2);
  });
});
