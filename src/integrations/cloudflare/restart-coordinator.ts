import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { ConfigStore } from './config-store.js';
import type { TunnelRestarter } from './tunnel-restarter.js';

/** Where a waiter's lines go (a job log). */
export interface LogSink {
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
}

interface Batch {
  sinks: LogSink[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Failure {
  from: number;
  to: number;
  error: AppError;
}

const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Restarts the tunnel after config writes, at most once per window: writes are numbered
 * (generations); a writer waits until a restart covering its generation ran. Requests within
 * `windowMs` of the first share one restart and its result. A restart runs holding the config lock
 * (no write slips in between); if the tunnel does not come back, the config as it was before the
 * first unrestarted write is restored and the tunnel restarted again, and every waiter fails with
 * both facts.
 */
export function createRestartCoordinator(opts: {
  store: ConfigStore;
  restarter: () => TunnelRestarter | null;
  windowMs: number;
  clock: Clock;
  logger: Logger;
}) {
  let writeGen = 0;
  let restartedGen = 0;
  let baseline: { text: string | null; backupPath: string | null } | null = null;
  let pending: Batch | null = null;
  let lastRestartAt: string | null = null;
  const failures: Failure[] = [];

  const broadcast = (sinks: LogSink[], level: keyof LogSink, text: string) => {
    for (const s of sinks) s[level](text);
  };

  async function restartLocked(sinks: LogSink[]): Promise<void> {
    const restarter = opts.restarter();
    const from = restartedGen;
    const upTo = writeGen;
    const base = baseline;
    baseline = null;
    if (!restarter || upTo === from) {
      restartedGen = upTo;
      return;
    }
    broadcast(sinks, 'info', `restarting the tunnel: ${restarter.describe}`);
    const progress = (text: string) => broadcast(sinks, 'info', text);
    try {
      await restarter.restart(progress);
      restartedGen = upTo;
      lastRestartAt = opts.clock.now().toISOString();
      broadcast(sinks, 'info', 'the tunnel is running again with the new config');
      return;
    } catch (err) {
      const first = `the tunnel did not come back after ${restarter.describe}: ${describeError(err)}`;
      broadcast(sinks, 'error', first);
      let second: string;
      if (base?.text != null) {
        await opts.store.commit(await opts.store.read(), base.text);
        broadcast(
          sinks,
          'warn',
          `restored config.yml from the backup ${base.backupPath ?? '(taken before)'}`,
        );
        try {
          await restarter.restart(progress);
          lastRestartAt = opts.clock.now().toISOString();
          second = `restored config.yml from the backup ${base.backupPath ?? ''} and restarted: the tunnel runs the previous config`;
        } catch (again) {
          second = `restored config.yml from the backup ${base.backupPath ?? ''}, but the tunnel did not come back after the second restart either: ${describeError(again)}`;
        }
      } else {
        second = 'no earlier config to restore (the file did not exist before)';
      }
      broadcast(sinks, 'error', second);
      restartedGen = upTo;
      const error = new AppError('UPSTREAM_ERROR', `${first}; ${second}`);
      failures.push({ from, to: upTo, error });
      if (failures.length > 100) failures.shift();
      opts.logger.error({ err }, 'tunnel restart failed; config rolled back');
      throw error;
    }
  }

  function fire(batch: Batch) {
    if (pending === batch) pending = null;
    opts.store.locked(() => restartLocked(batch.sinks)).then(batch.resolve, batch.reject);
  }

  return {
    /** Inside the config lock, after a write: returns the write's generation. */
    noteWrite(before: string | null, backupPath: string | null): number {
      if (writeGen === restartedGen) baseline = { text: before, backupPath };
      writeGen += 1;
      return writeGen;
    },
    /** The latest write generation (a caller whose write was a no-op may still wait for others'). */
    current: () => writeGen,
    /** When the tunnel was last restarted by this process. */
    lastRestartAt: () => lastRestartAt,
    /** Resolves once a restart covering `gen` succeeded (or none is needed); rejects if it failed. */
    async ensureApplied(gen: number, sink: LogSink): Promise<{ restarted: boolean }> {
      const check = () => {
        const failed = failures.find((f) => f.from < gen && gen <= f.to);
        if (failed) throw failed.error;
      };
      if (gen <= restartedGen) {
        check();
        return { restarted: false };
      }
      if (!opts.restarter()) {
        // Nothing restarts here, so the newest write is what counts as applied from now on.
        if (gen === writeGen) {
          restartedGen = gen;
          baseline = null;
        }
        sink.warn('tunnel restart mode is "none": restart cloudflared yourself to apply the new config');
        return { restarted: false };
      }
      if (!pending) {
        let resolve!: () => void;
        let reject!: (err: unknown) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        const batch: Batch = { sinks: [], promise, resolve, reject };
        pending = batch;
        setTimeout(() => fire(batch), opts.windowMs);
      }
      pending.sinks.push(sink);
      sink.info(`tunnel restart scheduled (requests within ${opts.windowMs} ms share one restart)`);
      await pending.promise;
      check();
      return { restarted: true };
    },
  };
}

/** The restart coordinator of one config file. */
export type RestartCoordinator = ReturnType<typeof createRestartCoordinator>;
