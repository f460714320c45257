import type { Logger } from 'pino';
import { createApp } from './app.js';
import { holdRunMarker, runningPanel } from './cli/run-marker.js';
import type { Config } from './config/config.schema.js';

const SHUTDOWN_GRACE_MS = 30_000;
/** How long after listen the engine-facing watches start (see serve). */
const WATCHES_AFTER_MS = 1_000;

/** Start the panel: app → first-start login token → listen; graceful shutdown on SIGTERM/SIGINT. */
export async function serve(config: Config, logger: Logger, print: (line: string) => void): Promise<void> {
  // What the panel writes is not for other users of the host: files 0640, folders 0750 at most.
  process.umask(0o027);
  // A second panel on the same data would mark the first one's running jobs interrupted at start-up.
  const other = runningPanel(config.dataDir);
  if (other) {
    throw new Error(
      `another panel (pid ${other.pid}, port ${other.port}) is serving ${config.dataDir}; stop it first`,
    );
  }
  const app = await createApp({ config, logger });

  if (config.setupToken) await app.services.auth.issueLoginToken('env', config.setupToken);
  if (!(await app.services.auth.hasUsers()) && !config.setupToken) {
    const { token, expiresAt } = await app.services.auth.issueLoginToken('startup');
    print(
      `No user yet. Sign in at ${config.publicUrl} with this one-time login token (valid until ${expiresAt}):`,
    );
    print(`  ${token}`);
  }

  await app.http.listen({ host: config.host, port: config.port });
  // `<dataDir>/warp.pid` while serving: `warp-panel restore` refuses to run under a live panel.
  const marker = holdRunMarker(config.dataDir, config.port);
  logger.info({ url: config.publicUrl, version: app.version, db: app.db.engine }, 'warp panel listening');
  // Recovery first (jobs left running by a crash become interrupted), then queued jobs run.
  await app.runner.start();
  await app.backupScheduler.start();

  // Then the engine-facing watches: project statuses (reconciled with the engine, then following its
  // container events), metrics sampling, notification delivery, the engine and tunnel watches. Their first
  // run costs tens of ms of Docker and disk calls, so they start a moment after listen: the first requests
  // (a health check, a reloaded page) are answered first instead of waiting behind them.
  let watches: Promise<void> | null = null;
  const watchTimer = setTimeout(() => {
    watches = (async () => {
      await app.projectStatus.start();
      await app.monitors.start();
    })();
    watches.catch((error: unknown) => {
      // As a failure before listen would: the panel does not run on without its watches.
      logger.fatal({ err: error }, 'the engine and tunnel watches did not start');
      process.exit(1);
    });
  }, WATCHES_AFTER_MS);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 5_000);
    timer.unref();
    clearTimeout(watchTimer);
    await watches?.catch(() => {});
    // Stop claiming, let running jobs finish within the grace period, then abort them (interrupted).
    await app.runner.stop({ graceMs: SHUTDOWN_GRACE_MS - 10_000 });
    await app.close();
    marker.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
