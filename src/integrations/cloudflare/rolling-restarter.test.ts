import { describe, expect, it } from 'vitest';
import { createRollingRestarter, type Replica } from './rolling-restarter.js';

/** Replicas whose `/ready` is a flag; restarting one takes it down, then up again after `upAfter` probes. */
function fleet(n: number, upAfter = 2) {
  const events: string[] = [];
  const ready = Array.from({ length: n }, () => true);
  const downProbes = Array.from({ length: n }, () => 0);
  const replicas: Replica[] = ready.map((_, i) => ({
    metrics: `127.0.0.1:${20000 + i}`,
    restarter: {
      describe: `systemctl restart cloudflared@${i + 1}`,
      async restart() {
        // While it restarts, at least one other replica must be serving.
        events.push(`restart ${i + 1} (others ready: ${ready.filter((r, j) => r && j !== i).length})`);
        ready[i] = false;
        downProbes[i] = 0;
      },
    },
  }));
  const probe = async (metrics: string) => {
    const i = Number(metrics.split(':')[1]) - 20000;
    if (!ready[i] && ++downProbes[i]! >= upAfter) ready[i] = true;
    return ready[i] ? 200 : 503;
  };
  return { events, ready, replicas, probe };
}

describe('rolling restart of tunnel replicas', () => {
  it('restarts one replica at a time, each back on /ready before the next stops', async () => {
    const f = fleet(3);
    const lines: string[] = [];
    const r = createRollingRestarter(f.replicas, { probe: f.probe, intervalMs: 1, handoverMs: 0 });
    expect(r.describe).toBe(
      'rolling restart of 3 replicas (systemctl restart cloudflared@1, then cloudflared@2, then cloudflared@3; each back on /ready before the next)',
    );
    await r.restart((t) => lines.push(t));
    expect(f.events).toEqual([
      'restart 1 (others ready: 2)',
      'restart 2 (others ready: 2)',
      'restart 3 (others ready: 2)',
    ]);
    expect(f.ready).toEqual([true, true, true]);
    expect(lines.filter((l) => l.includes('is ready'))).toHaveLength(3);
  });

  it('fails, naming the replica, when one never reports ready (and does not touch the next)', async () => {
    const f = fleet(2, Number.POSITIVE_INFINITY);
    const r = createRollingRestarter(f.replicas, {
      probe: f.probe,
      intervalMs: 1,
      readyTimeoutMs: 30,
      handoverMs: 0,
    });
    await expect(r.restart()).rejects.toThrow(
      /replica cloudflared@1 did not report ready on http:\/\/127\.0\.0\.1:20000\/ready/,
    );
    expect(f.events).toEqual(['restart 1 (others ready: 1)']);
  });

  it('waits for another replica to be ready before stopping one, and says so when none becomes ready', async () => {
    const f = fleet(2);
    f.ready[1] = false; // replica 2 is down when the restart begins; it comes up on its own
    const lines: string[] = [];
    const r = createRollingRestarter(f.replicas, { probe: f.probe, intervalMs: 1, handoverMs: 0 });
    await r.restart((t) => lines.push(t));
    expect(f.events[0]).toBe('restart 1 (others ready: 1)');
    expect(lines.join('\n')).not.toMatch(/interrupts/);

    const dead = fleet(2, Number.POSITIVE_INFINITY);
    dead.ready[1] = false;
    const lonely: string[] = [];
    const r2 = createRollingRestarter([dead.replicas[0]!, { ...dead.replicas[1]!, metrics: null }], {
      probe: dead.probe,
      intervalMs: 1,
      readyTimeoutMs: 20,
      handoverMs: 0,
    });
    // Replica 2 has no metrics address: nothing to wait for, so no warning, and only its unit check counts.
    await expect(r2.restart((t) => lonely.push(t))).rejects.toThrow(/did not report ready/);
    expect(lonely.join('\n')).not.toMatch(/interrupts/);
  });

  it('warns when no other replica is ready before it stops one', async () => {
    const f = fleet(2, 3);
    f.ready[1] = false;
    const lines: string[] = [];
    // Replica 2 never comes up by itself within the wait (its probes count only after its own restart).
    const stuck = async (m: string) => (m.endsWith(':20001') && f.events.length === 0 ? 503 : f.probe(m));
    const r = createRollingRestarter(f.replicas, {
      probe: stuck,
      intervalMs: 1,
      readyTimeoutMs: 15,
      handoverMs: 0,
    });
    await r.restart((t) => lines.push(t));
    expect(lines[0]).toBe('no other replica is ready: restarting cloudflared@1 interrupts the tunnel');
    expect(f.ready).toEqual([true, true]);
  });
});
