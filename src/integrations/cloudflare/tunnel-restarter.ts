import { upstreamError } from '../../domain/errors.js';
import { ANY_EXIT_CODE, lastLine } from '../../lib/process/runner.js';
import type { Runner } from '../../lib/task-context.js';
import type { DockerClient } from '../docker/docker-client.js';

/** Restarts the tunnel and resolves once it runs again; rejects with the reason it did not come back. */
export interface TunnelRestarter {
  /** Human description for job logs, e.g. `systemctl restart cloudflared`. */
  describe: string;
  /** `progress` gets a line per step of a restart that has several (a rolling restart of replicas). */
  restart(progress?: (text: string) => void): Promise<void>;
}

/** How long and how often to check that the tunnel came back. */
export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `systemctl restart <unit>`, then `systemctl is-active <unit>` until it says `active` (or time runs out). */
export function createSystemdRestarter(opts: {
  systemctlBin: string;
  unit: string;
  run: Runner;
  poll?: PollOptions;
}): TunnelRestarter {
  const timeoutMs = opts.poll?.timeoutMs ?? 10_000;
  const intervalMs = opts.poll?.intervalMs ?? 500;
  return {
    describe: `systemctl restart ${opts.unit}`,
    async restart() {
      const res = await opts.run([opts.systemctlBin, 'restart', opts.unit], {
        okCodes: ANY_EXIT_CODE,
        timeoutMs: 90_000,
      });
      if (res.code !== 0) {
        const why = lastLine(res.stderr) || lastLine(res.stdout);
        throw upstreamError('systemctl', `restart ${opts.unit} exited with code ${res.code}: ${why}`);
      }
      const deadline = Date.now() + timeoutMs;
      let state = 'unknown';
      for (;;) {
        const check = await opts.run([opts.systemctlBin, 'is-active', opts.unit], {
          okCodes: ANY_EXIT_CODE,
          timeoutMs: 10_000,
        });
        state = lastLine(check.stdout) || `exit code ${check.code}`;
        if (check.code === 0 && state === 'active') return;
        if (Date.now() >= deadline) break;
        await sleep(intervalMs);
      }
      throw upstreamError('systemctl', `unit ${opts.unit} is "${state}" after the restart, not "active"`);
    },
  };
}

/**
 * Restarts the tunnel's container through the Engine API, then waits until it is running, and
 * still running (same start time) a moment later: cloudflared with a bad config exits at once.
 */
export function createDockerRestarter(opts: {
  docker: DockerClient;
  container: string;
  poll?: PollOptions & { settleMs?: number };
  /** Seconds Docker waits for the stop before SIGKILL: at least cloudflared's --grace-period. */
  stopTimeoutSeconds?: number;
}): TunnelRestarter {
  const timeoutMs = opts.poll?.timeoutMs ?? 15_000;
  const intervalMs = opts.poll?.intervalMs ?? 300;
  const settleMs = opts.poll?.settleMs ?? 1_000;
  const what = `container ${opts.container}`;
  const inspect = () =>
    opts.docker.call('inspect tunnel container', (d) => d.getContainer(opts.container).inspect(), { what });
  return {
    describe: `docker restart ${opts.container}`,
    async restart() {
      await opts.docker.call(
        'restart tunnel container',
        (d) => d.getContainer(opts.container).restart({ t: opts.stopTimeoutSeconds ?? 10 }),
        {
          what,
          timeoutMs: 60_000,
        },
      );
      const deadline = Date.now() + timeoutMs;
      let status = 'unknown';
      for (;;) {
        const state = (await inspect()).State;
        status = state.Status;
        if (state.Running && !state.Restarting) {
          await sleep(settleMs);
          const again = (await inspect()).State;
          if (again.Running && again.StartedAt === state.StartedAt) return;
          status = again.Status;
        }
        if (Date.now() >= deadline) break;
        await sleep(intervalMs);
      }
      throw upstreamError('Docker engine', `${what} is "${status}" after the restart, not running`);
    },
  };
}
